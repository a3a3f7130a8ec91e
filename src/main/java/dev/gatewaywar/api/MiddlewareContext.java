package dev.gatewaywar.api;

import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RouteConfig;
import jakarta.servlet.ServletContext;
import java.util.Optional;

/**
 * What a {@link Middleware} may look at when it builds a route's filter.
 *
 * @param config the whole configuration
 * @param route the route the filter is for
 * @param servletContext the gateway web application's context
 */
public record MiddlewareContext(
    GatewayConfig config, RouteConfig route, ServletContext servletContext) {

  /** The top-level settings of {@code block} (its defaults when the file has no such block). */
  public <G> G global(ConfigBlock<G, ?> block) {
    return config.global(block);
  }

  /** The route's own settings for {@code block}, when the route has a block of its own. */
  public <R> Optional<R> own(ConfigBlock<?, R> block) {
    return route.own(block);
  }
}
