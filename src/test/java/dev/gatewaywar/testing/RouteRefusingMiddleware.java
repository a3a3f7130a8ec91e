package dev.gatewaywar.testing;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;

/**
 * Test middleware named {@code refuse-route}: refuses every route that lists it when the route's
 * filters are built, after the configuration was read, as a middleware checking its route might.
 */
public final class RouteRefusingMiddleware implements Middleware {
  @Override
  public String name() {
    return "refuse-route";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    throw new IllegalArgumentException("refuses route " + context.route().path());
  }
}
