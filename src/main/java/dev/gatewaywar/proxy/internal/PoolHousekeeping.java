package dev.gatewaywar.proxy.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * The connection pool's chores, on one thread of the client's {@link UpstreamThreads}, so closing
 * the client waits for it to end (HttpClient's own idle-connection evictor is only interrupted on
 * close, and Tomcat then reports it as a thread the webapp left running). Two chores: ending
 * exchanges that waited longer than their connect timeout for a pooled connection (HttpCore's async
 * pool checks a waiting lease's deadline only when something else happens on that route, a
 * connection released, so behind an upstream that holds every connection for minutes, waiting
 * requests would wait minutes too), and closing connections idle for longer than the upstream idle
 * timeout.
 */
final class PoolHousekeeping implements AutoCloseable {
  static final long SWEEP_MILLIS = 50;

  private final Set<Exchange> waiting = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sweeper;

  /**
   * @param evictIdle closes idle connections; run every {@code evictEveryMillis}
   * @param threads where the chores' thread comes from
   */
  PoolHousekeeping(Runnable evictIdle, long evictEveryMillis, UpstreamThreads threads) {
    sweeper = Executors.newSingleThreadScheduledExecutor(threads);
    sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    sweeper.scheduleWithFixedDelay(
        evictIdle, evictEveryMillis, evictEveryMillis, TimeUnit.MILLISECONDS);
  }

  /** {@code exchange} waits for a connection until its {@link Exchange#leaseDeadline()}. */
  void waiting(Exchange exchange) {
    waiting.add(exchange);
  }

  /** {@code exchange} got its connection (or ended). */
  void done(Exchange exchange) {
    waiting.remove(exchange);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Exchange exchange : waiting) {
      if (now - exchange.leaseDeadline() > 0 && waiting.remove(exchange)) {
        exchange.leaseTimedOut(
            new ConnectionRequestTimeoutException(
                "no pooled connection within the connect timeout"));
      }
    }
  }

  /** Stops the chores; {@link UpstreamThreads#awaitEnded} waits for their thread to end. */
  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
