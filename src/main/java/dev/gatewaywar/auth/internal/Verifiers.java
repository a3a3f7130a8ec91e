package dev.gatewaywar.auth.internal;

import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.util.logging.Logger;
import org.jose4j.keys.EcKeyUtil;
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.RsaKeyUtil;

/** Builds the {@link TokenVerifier} an {@code auth:} block describes. */
public final class Verifiers {
  private static final Logger LOG = Logger.getLogger(Verifiers.class.getName());

  private Verifiers() {}

  public static TokenVerifier create(AuthConfig config, Clock clock) {
    config
        .problem()
        .ifPresent(
            p -> {
              throw new IllegalArgumentException("auth: " + p);
            });
    HttpFetch http = new HttpFetch(config.fetchTimeout());
    PinnedKeys.Source source;
    if (config.usesDiscovery()) {
      source = jwks(new Discovery(config.issuer().orElseThrow(), http), http, config, clock);
    } else if (config.jwksUrl().isPresent()) {
      source = jwks(config.jwksUrl()::get, http, config, clock);
    } else if (!config.publicKey().isBlank()) {
      source = PinnedKeys.fixed(publicKey(config.publicKey()));
    } else {
      byte[] secret = config.secret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < 32) {
        LOG.warning(
            "auth.secret is shorter than 32 bytes: HS256 wants a secret at least as long as its"
                + " 256-bit hash (RFC 7518 3.2); use a long random one outside development");
      }
      source = PinnedKeys.fixed(new HmacKey(secret));
    }
    PinnedKeys keys = new PinnedKeys(config.effectiveAlgorithms(), source);
    TokenVerifier jwt =
        new VerifiedTokens(new JwtVerifier(config, keys, clock), keys, clock, config.clockSkew());
    return config
        .introspection()
        .<TokenVerifier>map(i -> new IntrospectingVerifier(jwt, i, config, clock))
        .orElse(jwt);
  }

  private static JwksCache jwks(
      JwksCache.Location location, HttpFetch http, AuthConfig config, Clock clock) {
    JwksCache cache =
        new JwksCache(
            location,
            http,
            clock,
            config.jwksRefresh(),
            JwksCache.DEFAULT_MIN_INTERVAL,
            JwksCache.DEFAULT_RETRY_AFTER_FAILURE);
    cache.prefetch();
    return cache;
  }

  /** An RSA or EC public key in PEM ({@code -----BEGIN PUBLIC KEY-----}). */
  static PublicKey publicKey(String pem) {
    Exception rsa;
    try {
      return new RsaKeyUtil().fromPemEncoded(pem);
    } catch (Exception e) {
      rsa = e;
    }
    try {
      return new EcKeyUtil().fromPemEncoded(pem);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "auth.public_key is not an RSA or EC public key in PEM (" + rsa.getMessage() + ")");
    }
  }
}
