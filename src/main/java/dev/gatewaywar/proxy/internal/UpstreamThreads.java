package dev.gatewaywar.proxy.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the upstream client (HttpClient's I/O dispatchers, the one that starts them, and
 * the pool's housekeeping), remembered so that closing the client can wait for every one to end.
 * HttpClient only interrupts its starter thread on close, and Tomcat, looking right after the
 * webapp stopped, reported it as a thread the webapp left running.
 */
final class UpstreamThreads implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();
  private final List<Thread> started = new CopyOnWriteArrayList<>();

  /**
   * @param prefix the threads' names before their number: {@code gateway-upstream-io-} for the main
   *     pool, another for each route TLS pool, so a thread dump tells whose threads run
   */
  UpstreamThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + count.incrementAndGet());
    t.setDaemon(true);
    started.add(t);
    return t;
  }

  /**
   * Waits up to {@code millis} for every thread made here to end, also when the calling thread is
   * interrupted (its interrupt status is kept).
   *
   * @return true when all ended
   */
  boolean awaitEnded(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    boolean interrupted = Thread.interrupted();
    try {
      for (Thread t : started) {
        while (t.isAlive()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
