package dev.gatewaywar.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration, parsed and validated. Immutable: a reload builds a new one.
 *
 * @param source where it was read from (a path, or a description such as "bundled default")
 * @param admin the admin page ({@code admin:})
 * @param blocks the top-level blocks middleware own, by {@link ConfigBlock#key()}: each the value
 *     its block's {@link ConfigBlock#readGlobal} returned
 * @param upstreamHeaders the request headers some route's middleware writes for the upstream
 *     ({@link ConfigBlock#upstreamHeaders}); owned by the gateway on every route
 */
public record GatewayConfig(
    String source,
    ServerConfig server,
    List<RouteConfig> routes,
    TimeoutsConfig timeouts,
    UpstreamConfig upstream,
    MetricsConfig metrics,
    HealthConfig health,
    AdminConfig admin,
    Map<String, Object> blocks,
    Set<String> upstreamHeaders) {

  public GatewayConfig {
    routes = List.copyOf(routes);
    blocks = Map.copyOf(blocks);
    upstreamHeaders = Set.copyOf(upstreamHeaders);
  }

  /** The timeouts that apply to {@code route}: its own block, else the global one. */
  public TimeoutsConfig timeoutsFor(RouteConfig route) {
    return route.timeouts().orElse(timeouts);
  }

  /**
   * The top-level settings of {@code block}.
   *
   * @throws IllegalStateException when this configuration was read without the block's owner
   */
  @SuppressWarnings("unchecked") // the loader stored what this block's readGlobal returned
  public <G> G global(ConfigBlock<G, ?> block) {
    Object settings = blocks.get(block.key());
    if (settings == null) {
      throw new IllegalStateException(
          "no '" + block.key() + "' settings: the configuration was read without its middleware");
    }
    return (G) settings;
  }
}
