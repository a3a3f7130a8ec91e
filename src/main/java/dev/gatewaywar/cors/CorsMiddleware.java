package dev.gatewaywar.cors;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.RouteConfig;
import jakarta.servlet.Filter;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The built-in {@code cors} middleware: answers allowed browsers' preflights itself and marks the
 * answers to allowed origins, owning every {@code Access-Control-*} response header on its routes.
 */
public final class CorsMiddleware implements Middleware {
  public static final String NAME = "cors";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(CorsBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    RouteConfig route = context.route();
    CorsConfig cors = context.own(CorsBlock.INSTANCE).orElse(context.global(CorsBlock.INSTANCE));
    String allow =
        route.allows("OPTIONS") ? null : String.join(", ", new TreeSet<>(route.methods()));
    return new CorsFilter(cors, allow);
  }
}
