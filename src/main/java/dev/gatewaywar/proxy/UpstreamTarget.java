package dev.gatewaywar.proxy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One target of a route with several: its requests in flight, its health (shared across reloads)
 * and its circuit breaker. Built with the route; a request reads a few fields of it.
 */
public final class UpstreamTarget {
  private static final Logger LOG = Logger.getLogger(UpstreamTarget.class.getName());

  /** What the breaker records for a failed call: the kind is all it counts, not the trace. */
  private static final Exception FAILED =
      new Exception("upstream call failed", null, false, false) {};

  private final int index;
  private final URI url;
  private final String base;
  private final int weight;
  private final TargetHealth health;
  private final CircuitBreaker breaker;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** The breaker's state when last seen, so that each change is logged once. */
  private final AtomicInteger breakerSeen = new AtomicInteger();

  /** Route and target, for the log. */
  private final String name;

  UpstreamTarget(
      String route, int index, URI url, int weight, TargetHealth health, CircuitBreaker breaker) {
    this.name = "upstream " + url + " of route " + route;
    this.index = index;
    this.url = url;
    String s = url.toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    this.weight = weight;
    this.health = health;
    this.breaker = breaker;
  }

  public URI url() {
    return url;
  }

  /** {@code scheme://authority[/base]} without a trailing slash; the request path is appended. */
  public String base() {
    return base;
  }

  /** This target's bit in a set of targets ({@link Balancer#pick}'s {@code excluded}). */
  long bit() {
    return 1L << index;
  }

  int weight() {
    return weight;
  }

  /** Calls taken on it and not yet done. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Whether its route checks its health ({@code health_check}). */
  public boolean healthChecked() {
    return health != null;
  }

  /** False while its health checks say it is down. */
  public boolean healthy() {
    return health == null || health.up();
  }

  /** {@code gateway_circuit_breaker_state}: 0 closed (or no breaker), 1 open, 2 half-open. */
  public int breakerState() {
    if (breaker == null) {
      return 0;
    }
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN -> 1;
      case HALF_OPEN -> 2;
      default -> 0;
    };
  }

  /**
   * Takes the target for one call: false when its breaker is open (or half-open with its trial
   * calls taken). A call taken ends in exactly one of {@link #answered}, {@link #failed}.
   */
  boolean take() {
    if (breaker != null && !breaker.tryAcquirePermission()) {
      breakerChanged();
      return false;
    }
    inFlight.incrementAndGet();
    return true;
  }

  /** The target answered with {@code status}: a 5xx counts as a failure for its breaker. */
  void answered(int status) {
    if (breaker != null) {
      if (status >= 500) {
        breaker.onError(0, TimeUnit.NANOSECONDS, FAILED);
      } else {
        breaker.onSuccess(0, TimeUnit.NANOSECONDS);
      }
      breakerChanged();
    }
  }

  /**
   * The call failed before an answer: connect failures and timeouts count against the breaker;
   * failures on the gateway's or client's side (pool or client share exhausted, client gone) say
   * nothing about the target.
   */
  void failed(UpstreamFailure failure) {
    if (breaker == null) {
      return;
    }
    switch (failure) {
      case UNREACHABLE, CONNECT_TIMEOUT, READ_TIMEOUT, PROTOCOL ->
          breaker.onError(0, TimeUnit.NANOSECONDS, FAILED);
      default -> breaker.releasePermission();
    }
    breakerChanged();
  }

  /**
   * Logs a change of the breaker's state once. Compared here rather than through the breaker's
   * event publisher: with a consumer registered, it makes an event object for every call.
   */
  private void breakerChanged() {
    int now = breakerState();
    int before = breakerSeen.get();
    if (now != before && breakerSeen.compareAndSet(before, now)) {
      String state =
          now == 1
              ? "open: out of rotation"
              : now == 2 ? "half-open: trial calls" : "closed: back in rotation";
      if (now == 1) {
        LOG.warning(() -> "circuit breaker of " + name + " is " + state);
      } else {
        LOG.info(() -> "circuit breaker of " + name + " is " + state);
      }
    }
  }

  /** The call's exchange ended (answer complete or failed): one fewer in flight. */
  void done() {
    inFlight.decrementAndGet();
  }

  @Override
  public String toString() {
    return base;
  }
}
