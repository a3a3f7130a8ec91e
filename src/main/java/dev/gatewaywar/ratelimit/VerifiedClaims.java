package dev.gatewaywar.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Reads a claim of the token the {@code auth} middleware verified earlier in the route: the seam
 * between rate limiting and authentication, so neither package depends on the other's internals.
 * The middleware registry wires it to {@code Claims.from(request)}.
 */
@FunctionalInterface
public interface VerifiedClaims {

  /** The string value of claim {@code name} of the request's verified token, if there is one. */
  Optional<String> claim(HttpServletRequest request, String name);
}
