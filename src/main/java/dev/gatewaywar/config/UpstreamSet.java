package dev.gatewaywar.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A route's upstream targets and how requests are spread over them: {@code target:} (one target) or
 * {@code targets:} with {@code balance}, {@code health_check} and {@code circuit_breaker}.
 *
 * @param targets one or more targets, in the order of the file, with distinct URLs
 * @param balance how a target is chosen for each request
 * @param healthCheck active checks of every target, when configured
 * @param circuitBreaker a breaker per target, when configured
 * @param retry the route's own {@code retry:} block, when it has one ({@link #retryPolicy} applies
 *     the defaults to a route with several targets without one)
 */
public record UpstreamSet(
    List<Target> targets,
    Balance balance,
    Optional<HealthCheck> healthCheck,
    Optional<CircuitBreaker> circuitBreaker,
    Optional<Retry> retry) {

  /** The most targets a route may have. */
  public static final int MAX_TARGETS = 64;

  public static final Balance DEFAULT_BALANCE = Balance.ROUND_ROBIN;

  public UpstreamSet {
    targets = List.copyOf(targets);
    if (targets.isEmpty() || targets.size() > MAX_TARGETS) {
      throw new IllegalArgumentException("a route has 1 to " + MAX_TARGETS + " targets");
    }
  }

  /** Targets, balance, checks and breaker, without a {@code retry:} block of the route's own. */
  public UpstreamSet(
      List<Target> targets,
      Balance balance,
      Optional<HealthCheck> healthCheck,
      Optional<CircuitBreaker> circuitBreaker) {
    this(targets, balance, healthCheck, circuitBreaker, Optional.empty());
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
   * True for one target without checks, breaker or retry: sent as the gateway always did, with no
   * choice to make per request and no body kept.
   */
  public boolean isPlain() {
    return targets.size() == 1
        && healthCheck.isEmpty()
        && circuitBreaker.isEmpty()
        && retry.isEmpty();
  }

  /** The route's {@code retry:} block, or its defaults for a route without one. */
  public Retry retryPolicy() {
    return retry.orElse(Retry.DEFAULT);
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

  /**
   * {@code retry:}: which failed attempts are tried again, and which request bodies are kept for
   * it.
   *
   * @param attempts tries in all, the first included (1: no retry); moves to another target after a
   *     refused connection are not limited by it
   * @param when the outcomes of an attempt that are tried again
   * @param methods upper-case methods whose requests may be tried again after reaching an upstream
   * @param maxBody the largest request body kept in memory to be sent again (0: none)
   * @param backoff the wait before each retry (not before a move after a connect failure)
   */
  public record Retry(
      int attempts, Set<When> when, Set<String> methods, int maxBody, Duration backoff) {
    public static final int DEFAULT_ATTEMPTS = 1;
    public static final int MAX_ATTEMPTS = 10;
    public static final Set<When> DEFAULT_WHEN = Set.of(When.CONNECT_FAILURE);

    /** The methods RFC 9110 section 9.2.2 calls idempotent, but TRACE. */
    public static final Set<String> DEFAULT_METHODS =
        Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    public static final int DEFAULT_MAX_BODY = 64 * 1024;
    public static final int MAX_BODY_LIMIT = 1024 * 1024 * 1024;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    public static final Retry DEFAULT =
        new Retry(
            DEFAULT_ATTEMPTS, DEFAULT_WHEN, DEFAULT_METHODS, DEFAULT_MAX_BODY, DEFAULT_BACKOFF);

    public Retry {
      when = Set.copyOf(when);
      methods = Set.copyOf(methods);
      if (attempts < 1 || attempts > MAX_ATTEMPTS) {
        throw new IllegalArgumentException("attempts must be between 1 and " + MAX_ATTEMPTS);
      }
      if (maxBody < 0 || backoff.isNegative()) {
        throw new IllegalArgumentException("max_body and backoff must not be negative");
      }
    }

    /** True when {@code method}'s requests may be tried again after reaching an upstream. */
    public boolean allows(String method) {
      return methods.contains(method);
    }

    /** {@code when:} values. */
    public enum When {
      /** The connection was refused, or not made within {@code timeouts.connect}. */
      CONNECT_FAILURE("connect_failure"),
      /**
       * The upstream answered 502, or the gateway would answer 502: the connection was reset or
       * closed before a response (also while the request body was being sent).
       */
      BAD_GATEWAY("502"),
      /** The upstream answered 503. */
      SERVICE_UNAVAILABLE("503"),
      /** The upstream answered 504, or sent nothing within {@code timeouts.read}. */
      GATEWAY_TIMEOUT("504");

      private final String text;

      When(String text) {
        this.text = text;
      }

      /** As written in the file. */
      public String text() {
        return text;
      }

      /** The value written {@code text}, or null. */
      public static When parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (When w : values()) {
          if (w.text.equals(t)) {
            return w;
          }
        }
        return null;
      }

      /** The value for an upstream's answer with {@code status}, or null for other statuses. */
      public static When forStatus(int status) {
        return switch (status) {
          case 502 -> BAD_GATEWAY;
          case 503 -> SERVICE_UNAVAILABLE;
          case 504 -> GATEWAY_TIMEOUT;
          default -> null;
        };
      }
    }
  }
}
