package dev.gatewaywar.auth;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.internal.Verifiers;
import java.time.Clock;

/**
 * Checks a bearer token and returns its claims. The seam between the {@code auth} middleware and
 * the JWT library: {@code auth.type} picks the implementation, so a new backend is one class and no
 * change to the filter. Implementations are thread-safe and built once per configuration.
 */
public interface TokenVerifier {

  /**
   * The verified claims of {@code token} (the text after {@code Bearer }).
   *
   * @throws TokenException with the reason the token is refused, or {@link
   *     TokenException.Reason#KEYS_UNAVAILABLE} when no key could be obtained to check it
   */
  Claims verify(String token) throws TokenException;

  /**
   * The verifier {@code config} describes: HMAC secret, PEM public key, JWKS URL, or an OpenID
   * Connect issuer's discovery document. Starts fetching remote keys now, so the first request does
   * not wait; a fetch that fails is retried when a token needs the keys.
   *
   * @param clock decides whether tokens have expired and when cached keys are refreshed
   * @throws IllegalArgumentException when the configuration cannot describe a verifier
   */
  static TokenVerifier of(AuthConfig config, Clock clock) {
    return Verifiers.create(config, clock);
  }
}
