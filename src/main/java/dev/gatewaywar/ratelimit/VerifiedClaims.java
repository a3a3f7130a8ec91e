package dev.gatewaywar.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Reads a claim of the token the {@code auth} middleware verified earlier in the route: the seam
 * between rate limiting and authentication, so neither package depends on the other's internals.
 * The auth middleware provides the real reader (from its typed request attribute, e.g. {@code
 * Claims.from(request)}); until it is part of the build, {@link #NONE} makes {@code claim:NAME}
 * keys fail at start-up.
 */
@FunctionalInterface
public interface VerifiedClaims {

  /** The string value of claim {@code name} of the request's verified token, if there is one. */
  Optional<String> claim(HttpServletRequest request, String name);

  /** No claims: this build has no auth middleware that verifies tokens. */
  VerifiedClaims NONE = (request, name) -> Optional.empty();
}
