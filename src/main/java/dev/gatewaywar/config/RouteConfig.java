package dev.gatewaywar.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code routes:}.
 *
 * @param path the pattern: exact ({@code /users}), parameterised ({@code /users/:id}) or prefix
 *     ({@code /files/*}); validated by the routing package
 * @param methods upper-case HTTP methods; empty means every method
 * @param target the upstream's base URI ({@code scheme://host[:port][/base-path]})
 * @param middleware filter names in chain order
 * @param timeouts this route's own timeouts, when it sets any (unset keys inherit the global ones)
 * @param preserveHost send the client's {@code Host} header upstream instead of the target's
 * @param auth what this route's {@code auth} middleware checks and forwards
 * @param rateLimit this route's own {@code rate_limit:} block (own buckets; unset keys inherit the
 *     global block), when it has one
 * @param line the line of the route in the file, for messages
 */
public record RouteConfig(
    String path,
    Set<String> methods,
    URI target,
    List<String> middleware,
    Optional<TimeoutsConfig> timeouts,
    boolean preserveHost,
    RouteAuthConfig auth,
    Optional<RateLimitConfig> rateLimit,
    int line) {

  public RouteConfig {
    methods = Set.copyOf(methods);
    middleware = List.copyOf(middleware);
  }

  /** A route without {@code auth:} or {@code rate_limit:} blocks of its own. */
  public RouteConfig(
      String path,
      Set<String> methods,
      URI target,
      List<String> middleware,
      Optional<TimeoutsConfig> timeouts,
      boolean preserveHost,
      int line) {
    this(
        path,
        methods,
        target,
        middleware,
        timeouts,
        preserveHost,
        RouteAuthConfig.DEFAULT,
        Optional.empty(),
        line);
  }

  /** True when this route accepts {@code method}. */
  public boolean allows(String method) {
    return methods.isEmpty() || methods.contains(method);
  }
}
