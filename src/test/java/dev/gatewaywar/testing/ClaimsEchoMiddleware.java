package dev.gatewaywar.testing;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Test middleware named {@code claims-echo}: a later filter reading {@link Claims#from}, as a
 * user's custom middleware would; it answers the subject in the {@code X-Seen-Sub} response header.
 */
public final class ClaimsEchoMiddleware implements Middleware {
  public static final String HEADER = "X-Seen-Sub";

  @Override
  public String name() {
    return "claims-echo";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return (request, response, chain) -> {
      ((HttpServletResponse) response)
          .setHeader(HEADER, Claims.from(request).flatMap(Claims::subject).orElse("(no claims)"));
      chain.doFilter(request, response);
    };
  }
}
