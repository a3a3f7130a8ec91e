package dev.gatewaywar.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether the shared backend (Redis) answers, and how many requests it failed. An outage is logged
 * once when it starts and once when it ends, never per request: a Redis outage under load would
 * otherwise write thousands of identical lines a second. The count is what the metrics middleware
 * exports.
 */
public final class BackendHealth {
  private static final Logger LOG = Logger.getLogger(BackendHealth.class.getName());

  private final String backend;
  private final Runnable onFailure;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong errors = new AtomicLong();

  public BackendHealth(String backend) {
    this(backend, () -> {});
  }

  /**
   * @param onFailure called once per failed call, e.g. to count it in a metric
   */
  public BackendHealth(String backend, Runnable onFailure) {
    this.backend = backend;
    this.onFailure = onFailure;
  }

  /** A call to the backend failed (timeout, refused, disconnected). */
  public void failed(Throwable cause) {
    errors.incrementAndGet();
    onFailure.run();
    if (down.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          "rate limit backend "
              + backend
              + " is unreachable ("
              + describe(cause)
              + "); requests follow on_backend_error until it answers again",
          LOG.isLoggable(Level.FINE) ? cause : null);
    }
  }

  /** A call to the backend succeeded. */
  public void succeeded() {
    if (down.get() && down.compareAndSet(true, false)) {
      LOG.info(() -> "rate limit backend " + backend + " answers again; limiting resumed");
    }
  }

  /** Requests the backend failed since start: each was allowed or denied by policy. */
  public long errorCount() {
    return errors.get();
  }

  public boolean isDown() {
    return down.get();
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
