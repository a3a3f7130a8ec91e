package dev.gatewaywar.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A route's upstream targets and how requests are spread over them: {@code target:} (one target) or
 * {@code targets:} with {@code balance}, {@code health_check} and {@code circuit_breaker}.
 *
 * @param targets one or more targets, in the order of the file, with distinct URLs
 * @param balance how a target is chosen for each request
 * @param healthCheck active checks of every target, when configured
 * @param circuitBreaker a breaker per target, when configured
 */
public record UpstreamSet(
    List<Target> targets,
    Balance balance,
    Optional<HealthCheck> healthCheck,
    Optional<CircuitBreaker> circuitBreaker) {

  /** The most targets a route may have. */
  public static final int MAX_TARGETS = 64;

  public static final Balance DEFAULT_BALANCE = Balance.ROUND_ROBIN;

  public UpstreamSet {
    targets = List.copyOf(targets);
    if (targets.isEmpty() || targets.size() > MAX_TARGETS) {
      throw new IllegalArgumentException("a route has 1 to " + MAX_TARGETS + " targets");
    }
  }

  /** {@code target: url}: one target, nothing else. */
  public static UpstreamSet single(URI target) {
    return new UpstreamSet(
        List.of(new Target(target, Target.DEFAULT_WEIGHT)),
        DEFAULT_BALANCE,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * True for one target without checks or breaker: sent as the gateway always did, with no choice
   * to make per request.
   */
  public boolean isPlain() {
    return targets.size() == 1 && healthCheck.isEmpty() && circuitBreaker.isEmpty();
  }

  /** {@code balance:} values. */
  public enum Balance {
    /** Smooth weighted round robin (as nginx does it). */
    ROUND_ROBIN,
    /** The target with the fewest requests in flight, relative to its weight. */
    LEAST_REQUESTS,
    /** Consistent hashing on the client's address: a client keeps its target. */
    CLIENT_HASH
  }

  /**
   * One entry of {@code targets:}.
   *
   * @param url the target's base URI ({@code scheme://host[:port][/base-path]})
   * @param weight its share of the requests relative to the other targets
   */
  public record Target(URI url, int weight) {
    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;
  }

  /**
   * {@code health_check:}: a GET of {@code path} on every target each {@code interval}.
   *
   * @param path the path requested (2xx and 3xx answers are up)
   * @param interval between two checks of one target (jittered by up to a tenth)
   * @param timeout a check not answered within this has failed; at most {@code interval} (by
   *     default {@link #DEFAULT_TIMEOUT}, or the interval when that is shorter)
   * @param unhealthyAfter consecutive failed checks that take a healthy target out
   * @param healthyAfter consecutive good checks that bring an unhealthy target back
   */
  public record HealthCheck(
      String path, Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_UNHEALTHY_AFTER = 2;
    public static final int DEFAULT_HEALTHY_AFTER = 2;
  }

  /**
   * {@code circuit_breaker:}, one breaker per target.
   *
   * @param failureRate percent of the last {@code window} calls that failed (connect failure,
   *     timeout, 5xx) at which the breaker opens
   * @param window the calls the rate is computed over
   * @param openFor how long an open breaker keeps its target out before trial calls
   */
  public record CircuitBreaker(int failureRate, int window, Duration openFor) {
    public static final int DEFAULT_FAILURE_RATE = 50;
    public static final int DEFAULT_WINDOW = 20;
    public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(10);
  }
}
