package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigSection.Item;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.config.UpstreamSet.Balance;
import dev.gatewaywar.config.UpstreamSet.CircuitBreaker;
import dev.gatewaywar.config.UpstreamSet.HealthCheck;
import dev.gatewaywar.config.UpstreamSet.Retry;
import dev.gatewaywar.config.UpstreamSet.Target;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a route's upstream keys: {@code target} or {@code targets} (exactly one of the two), {@code
 * balance}, {@code health_check}, {@code circuit_breaker} and {@code retry}.
 */
final class TargetsReader {
  private TargetsReader() {}

  /** The route's upstream set; empty (with problems recorded) when its targets are unusable. */
  static Optional<UpstreamSet> read(YamlReader r) {
    Optional<List<Target>> targets = readTargets(r);
    Balance balance = r.choice("balance", Balance.class, UpstreamSet.DEFAULT_BALANCE);
    Optional<HealthCheck> check =
        r.has("health_check") ? readHealthCheck(r.mapping("health_check")) : Optional.empty();
    Optional<CircuitBreaker> breaker =
        r.has("circuit_breaker")
            ? Optional.of(readBreaker(r.mapping("circuit_breaker")))
            : Optional.empty();
    Optional<Retry> retry =
        r.has("retry") ? Optional.of(readRetry(r.mapping("retry"))) : Optional.empty();
    return targets.map(t -> new UpstreamSet(t, balance, check, breaker, retry));
  }

  private static Retry readRetry(YamlReader m) {
    int attempts = m.integer("attempts", Retry.DEFAULT_ATTEMPTS, 1, Retry.MAX_ATTEMPTS);
    Set<Retry.When> when = Retry.DEFAULT_WHEN;
    if (m.has("when")) {
      when = EnumSet.noneOf(Retry.When.class);
      for (Item item : m.scalarList("when")) {
        Retry.When w = Retry.When.parse(item.value());
        if (w == null) {
          m.problem(item, "'" + item.value() + "' must be one of connect_failure, 502, 503, 504");
        } else {
          when.add(w);
        }
      }
    }
    Set<String> methods = Retry.DEFAULT_METHODS;
    if (m.has("methods")) {
      methods = new LinkedHashSet<>();
      for (Item item : m.scalarList("methods")) {
        String method = item.value().trim().toUpperCase(Locale.ROOT);
        if (!HttpTokens.isToken(method)) {
          m.problem(item, "'" + item.value() + "' is not an HTTP method");
        }
        methods.add(method);
      }
    }
    int maxBody = m.size("max_body", Retry.DEFAULT_MAX_BODY, 0, Retry.MAX_BODY_LIMIT);
    Duration backoff = m.duration("backoff", Retry.DEFAULT_BACKOFF);
    if (backoff.compareTo(Retry.MAX_BACKOFF) > 0) {
      m.problem("backoff", "must be at most " + Retry.MAX_BACKOFF.toSeconds() + "s");
      backoff = Retry.MAX_BACKOFF;
    }
    m.rejectUnknownKeys();
    return new Retry(attempts, when, methods, maxBody, backoff);
  }

  private static Optional<List<Target>> readTargets(YamlReader r) {
    boolean one = r.has("target");
    boolean many = r.has("targets");
    if (one && many) {
      r.problem("targets", "give either target or targets, not both");
      return Optional.empty();
    }
    if (!many) {
      return r.requiredString("target")
          .flatMap(t -> parseUrl(t, r, "target"))
          .map(u -> List.of(new Target(u, Target.DEFAULT_WEIGHT)));
    }
    List<YamlReader> entries = r.mappingList("targets");
    int problems = r.problemCount();
    if (entries.isEmpty()) {
      r.problem("targets", "must list at least one target");
    } else if (entries.size() > UpstreamSet.MAX_TARGETS) {
      r.problem("targets", "at most " + UpstreamSet.MAX_TARGETS + " targets");
    }
    List<Target> targets = new ArrayList<>();
    Set<URI> seen = new HashSet<>();
    for (YamlReader t : entries) {
      Optional<URI> url = t.requiredString("url").flatMap(u -> parseUrl(u, t, "url"));
      int weight = t.integer("weight", Target.DEFAULT_WEIGHT, 1, Target.MAX_WEIGHT);
      t.rejectUnknownKeys();
      if (url.isPresent() && !seen.add(url.get())) {
        t.problem("url", "'" + url.get() + "' is listed twice");
      }
      url.ifPresent(u -> targets.add(new Target(u, weight)));
    }
    return r.problemCount() == problems ? Optional.of(targets) : Optional.empty();
  }

  private static Optional<HealthCheck> readHealthCheck(YamlReader m) {
    Optional<String> path = m.requiredString("path");
    path.filter(p -> !p.startsWith("/") || p.contains("#") || p.contains(" "))
        .ifPresent(p -> m.problem("path", "'" + p + "' must be a path starting with /"));
    Duration interval = m.duration("interval", HealthCheck.DEFAULT_INTERVAL);
    Duration timeout =
        m.duration(
            "timeout",
            HealthCheck.DEFAULT_TIMEOUT.compareTo(interval) < 0
                ? HealthCheck.DEFAULT_TIMEOUT
                : interval);
    int unhealthy = m.integer("unhealthy_after", HealthCheck.DEFAULT_UNHEALTHY_AFTER, 1, 100);
    int healthy = m.integer("healthy_after", HealthCheck.DEFAULT_HEALTHY_AFTER, 1, 100);
    if (timeout.compareTo(interval) > 0) {
      // one check per target at a time: a longer timeout would silently skip checks
      m.problem("timeout", "must not be longer than interval (" + interval.toMillis() + " ms)");
    }
    m.rejectUnknownKeys();
    return path.map(p -> new HealthCheck(p, interval, timeout, unhealthy, healthy));
  }

  private static CircuitBreaker readBreaker(YamlReader m) {
    CircuitBreaker b =
        new CircuitBreaker(
            m.integer("failure_rate", CircuitBreaker.DEFAULT_FAILURE_RATE, 1, 100),
            m.integer("window", CircuitBreaker.DEFAULT_WINDOW, 1, 10_000),
            m.duration("open_for", CircuitBreaker.DEFAULT_OPEN_FOR));
    m.rejectUnknownKeys();
    return b;
  }

  private static Optional<URI> parseUrl(String text, YamlReader r, String key) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        r.problem(key, "'" + text + "' must be an http:// or https:// URL");
      } else if (uri.getHost() == null) {
        r.problem(key, "'" + text + "' has no host");
      } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        r.problem(key, "'" + text + "' must not have a query or fragment");
      } else if (uri.getRawUserInfo() != null) {
        r.problem(key, "'" + text + "' must not carry credentials");
      } else {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      r.problem(key, "'" + text + "' is not a URL: " + e.getReason());
    }
    return Optional.empty();
  }
}
