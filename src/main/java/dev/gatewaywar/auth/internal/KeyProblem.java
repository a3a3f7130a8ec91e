package dev.gatewaywar.auth.internal;

import dev.gatewaywar.auth.TokenException.Reason;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Thrown by key resolvers through jose4j, which wraps it: carries the reason out so the verifier
 * can tell an unknown {@code kid} (401) from an unreachable JWKS (503).
 */
final class KeyProblem extends UnresolvableKeyException {
  private final Reason reason;

  KeyProblem(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  Reason reason() {
    return reason;
  }
}
