package dev.gatewaywar.testing;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;

/** Test middleware named {@code failing}: its filter throws, as a buggy custom filter might. */
public final class FailingMiddleware implements Middleware {
  @Override
  public String name() {
    return "failing";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return (request, response, chain) -> {
      throw new ServletException("custom filter failed: secret-detail");
    };
  }
}
