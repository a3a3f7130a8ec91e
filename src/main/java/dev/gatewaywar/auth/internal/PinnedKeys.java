package dev.gatewaywar.auth.internal;

import dev.gatewaywar.auth.TokenException.Reason;
import java.security.Key;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Set;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Hands out a key only for an algorithm the config accepts, and only a key of that algorithm's
 * family: the token's {@code alg} header chooses nothing by itself. This is what stops {@code alg:
 * none} and RS-to-HS confusion (an HS256 token "signed" with the RSA public key as its secret), on
 * top of jose4j's own algorithm constraints.
 */
final class PinnedKeys implements VerificationKeyResolver {

  /** Where keys for accepted algorithms come from. */
  interface Source {
    Key keyFor(JsonWebSignature jws) throws UnresolvableKeyException;

    /**
     * An object that is the same (identical) for as long as the keys are: a token verified under
     * one version must be verified again once it changed (a key rotated out of the JWKS).
     */
    default Object version() {
      return this;
    }
  }

  private final Set<String> algorithms;
  private final Source source;

  PinnedKeys(List<String> algorithms, Source source) {
    this.algorithms = Set.copyOf(algorithms);
    this.source = source;
  }

  @Override
  public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext)
      throws UnresolvableKeyException {
    String alg = jws.getAlgorithmHeaderValue();
    if (alg == null || !algorithms.contains(alg)) {
      throw new KeyProblem(Reason.DISALLOWED_ALGORITHM, "algorithm not accepted: " + alg);
    }
    Key key = source.keyFor(jws);
    if (!fits(alg, key)) {
      throw new KeyProblem(Reason.UNKNOWN_KEY, "no " + alg + " key");
    }
    return key;
  }

  /** See {@link Source#version()}. */
  Object version() {
    return source.version();
  }

  static boolean fits(String alg, Key key) {
    if (alg.startsWith("HS")) {
      return key instanceof HmacKey;
    }
    if (alg.startsWith("RS") || alg.startsWith("PS")) {
      return key instanceof RSAPublicKey;
    }
    return alg.startsWith("ES") && key instanceof ECPublicKey;
  }

  /** One fixed key (a secret or a PEM public key): {@code kid} is not consulted. */
  static Source fixed(Key key) {
    return jws -> key;
  }
}
