package dev.gatewaywar.config;

import java.util.List;

/**
 * The whole configuration, parsed and validated. Immutable: a reload builds a new one.
 *
 * @param source where it was read from (a path, or a description such as "bundled default")
 */
public record GatewayConfig(
    String source,
    ServerConfig server,
    List<RouteConfig> routes,
    TimeoutsConfig timeouts,
    UpstreamConfig upstream,
    AuthConfig auth,
    RateLimitConfig rateLimit,
    MetricsConfig metrics,
    OtelConfig otel,
    LoggingConfig logging,
    HealthConfig health) {

  public GatewayConfig {
    routes = List.copyOf(routes);
  }

  /** The timeouts that apply to {@code route}: its own block, else the global one. */
  public TimeoutsConfig timeoutsFor(RouteConfig route) {
    return route.timeouts().orElse(timeouts);
  }
}
