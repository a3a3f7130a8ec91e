package dev.gatewaywar.proxy;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the retries of a webapp's routes share, one per webapp and outliving each configuration: the
 * budget of memory for kept request bodies ({@code upstream.retry_buffer}), the one thread that
 * sends a retry once its {@code backoff} has passed (started with the first, joined at {@link
 * #close}; no request or I/O thread ever sleeps), and the count of retries per route.
 */
public final class Retries implements AutoCloseable {

  /** Counts the attempts after a request's first, per route pattern. */
  @FunctionalInterface
  public interface Counter {
    void retried(String route);
  }

  private final ReplayBudget budget;
  private final Counter counter;
  private final AtomicReference<Thread> thread = new AtomicReference<>();
  private ScheduledThreadPoolExecutor scheduler;
  private boolean closed;

  /**
   * @param bufferBytes {@code upstream.retry_buffer}: the most bytes of request bodies kept at once
   * @param counter told of every attempt after a request's first
   */
  public Retries(long bufferBytes, Counter counter) {
    this.budget = new ReplayBudget(bufferBytes);
    this.counter = counter;
  }

  /** Bytes of request bodies kept for retries right now, by every route together. */
  public long keptBytes() {
    return budget.reserved();
  }

  ReplayBudget budget() {
    return budget;
  }

  void retried(String route) {
    counter.retried(route);
  }

  /**
   * Runs {@code task} after {@code delayNanos} on the retry thread.
   *
   * @return false when the webapp is stopping: the task will not run
   */
  boolean schedule(Runnable task, long delayNanos) {
    ScheduledThreadPoolExecutor s;
    synchronized (this) {
      if (closed) {
        return false;
      }
      s = scheduler();
    }
    try {
      s.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // closed meanwhile
    }
  }

  private ScheduledThreadPoolExecutor scheduler() {
    if (scheduler == null) {
      scheduler = OwnThreads.scheduler("gateway-retry-backoff", thread);
    }
    return scheduler;
  }

  /**
   * Stops the retry thread and waits (5 s at most) for it to end. Retries still waiting are
   * dropped: the drain has waited for their requests, which the container now ends.
   */
  @Override
  public void close() {
    ScheduledThreadPoolExecutor s;
    synchronized (this) {
      closed = true;
      s = scheduler;
    }
    if (s != null) {
      OwnThreads.stop(s, thread.get(), "retry backoff");
    }
  }
}
