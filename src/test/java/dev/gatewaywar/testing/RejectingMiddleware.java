package dev.gatewaywar.testing;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;

/**
 * Test middleware named {@code reject}: answers every request 401 by throwing, as the auth
 * middleware does for a missing token.
 */
public final class RejectingMiddleware implements Middleware {
  @Override
  public String name() {
    return "reject";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return (request, response, chain) -> {
      throw new GatewayException(GatewayError.MISSING_TOKEN);
    };
  }
}
