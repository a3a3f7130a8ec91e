package dev.gatewaywar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The runtime serving new requests, and the ones a reload replaced while requests still ran on
 * them. A request takes a lease on the current runtime ({@link #acquire}) and finishes on it
 * whatever is swapped in meanwhile; a replaced runtime is destroyed by its last request, or, when
 * requests outlive {@code server.drain_timeout}, by {@link #reap} once that has passed.
 */
final class Runtimes {
  private static final Logger LOG = Logger.getLogger(Runtimes.class.getName());

  private final LongSupplier nanoTime;
  private volatile GatewayRuntime current;
  private volatile boolean draining;

  /** Replaced runtimes not yet destroyed, each with the time it must be closed by. */
  private final List<Retired> retired = new ArrayList<>();

  private record Retired(GatewayRuntime runtime, long deadlineNanos) {}

  /**
   * @param nanoTime the monotonic clock retirement deadlines are kept on
   */
  Runtimes(GatewayRuntime first, LongSupplier nanoTime) {
    this.current = first;
    this.nanoTime = nanoTime;
  }

  /** The runtime new requests start on. */
  GatewayRuntime current() {
    return current;
  }

  /**
   * A lease on the current runtime for one request; give it back with {@link
   * GatewayRuntime#release()}.
   *
   * @return null when the gateway has stopped (the current runtime is destroyed)
   */
  GatewayRuntime acquire() {
    while (true) {
      GatewayRuntime r = current;
      if (r.tryAcquire()) {
        return r;
      }
      if (r == current) {
        return null;
      }
      // swapped and destroyed between the read and the lease: take the new one
    }
  }

  /** True once {@link #drain} has begun: new requests are to be turned away. */
  boolean draining() {
    return draining;
  }

  /**
   * Makes {@code next} the runtime new requests start on, and retires the one it replaces: that one
   * is destroyed when its last request ends, at the latest after its {@code server.drain_timeout}.
   *
   * @return the replaced runtime
   */
  GatewayRuntime swap(GatewayRuntime next) {
    GatewayRuntime previous;
    synchronized (retired) {
      previous = current;
      current = next;
      long grace = previous.config().server().drainTimeout().toNanos();
      retired.add(new Retired(previous, nanoTime.getAsLong() + grace));
    }
    previous.retire();
    reap();
    return previous;
  }

  /** Forgets retired runtimes that are destroyed, and closes those past their deadline. */
  void reap() {
    List<GatewayRuntime> overdue = new ArrayList<>();
    synchronized (retired) {
      long now = nanoTime.getAsLong();
      for (Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
        Retired r = it.next();
        if (r.runtime().isDestroyed()) {
          it.remove();
        } else if (now - r.deadlineNanos() >= 0) {
          overdue.add(r.runtime());
          it.remove();
        }
      }
    }
    overdue.forEach(GatewayRuntime::close);
  }

  /** Retired runtimes that still have requests running. */
  int retiredAlive() {
    synchronized (retired) {
      return (int) retired.stream().filter(r -> !r.runtime().isDestroyed()).count();
    }
  }

  /**
   * Stops taking requests and waits, at most {@code timeout}, for those running (on the current
   * runtime and on retired ones) to end. Nothing is closed here; {@link #close} does that.
   *
   * @return true when every request ended in time
   */
  boolean drain(Duration timeout) throws InterruptedException {
    draining = true;
    long deadline = nanoTime.getAsLong() + timeout.toNanos();
    List<GatewayRuntime> all = new ArrayList<>();
    synchronized (retired) {
      retired.forEach(r -> all.add(r.runtime()));
    }
    all.add(current);
    boolean idle = true;
    for (GatewayRuntime r : all) {
      idle &= r.awaitIdle(deadline, nanoTime);
    }
    if (!idle) {
      int left = all.stream().mapToInt(GatewayRuntime::inFlight).sum();
      LOG.warning(
          () ->
              left
                  + " request(s) still running after the drain timeout of "
                  + timeout.toSeconds()
                  + " s; closing anyway");
    }
    return idle;
  }

  /** Destroys the current runtime and every retired one, whatever still runs on them. */
  void close() {
    draining = true;
    List<GatewayRuntime> all = new ArrayList<>();
    synchronized (retired) {
      retired.forEach(r -> all.add(r.runtime()));
      retired.clear();
    }
    all.add(current);
    all.forEach(GatewayRuntime::close);
  }
}
