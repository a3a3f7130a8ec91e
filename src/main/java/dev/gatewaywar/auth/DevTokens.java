package dev.gatewaywar.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Mints HS tokens for a configuration's {@code secret}, for development and demos ({@code java -jar
 * gateway.war token}), as the Go original's {@code make get-token} did. The token carries {@code
 * sub}, {@code iat}, {@code exp}, and the configured issuer and audience, so the gateway accepts
 * it.
 */
public final class DevTokens {
  private DevTokens() {}

  /**
   * @param claims extra claims; a value may be any JSON value jose4j can write (string, number,
   *     boolean, list, map)
   * @throws IllegalArgumentException when the configuration has no HS algorithm and secret
   */
  public static String mint(
      AuthConfig config, String subject, Duration ttl, Map<String, Object> claims, Clock clock) {
    String alg =
        config.effectiveAlgorithms().stream()
            .filter(AuthConfig.HMAC_ALGORITHMS::contains)
            .findFirst()
            .orElse(null);
    if (config.usesDiscovery() || alg == null || config.secret().isEmpty()) {
      throw new IllegalArgumentException(
          "dev tokens need auth.type jwt with a secret and an HS algorithm; this config has "
              + config.type()
              + " with "
              + config.effectiveAlgorithms());
    }
    JwtClaims c = new JwtClaims();
    claims.forEach(c::setClaim);
    c.setSubject(subject);
    NumericDate now = NumericDate.fromMilliseconds(clock.millis());
    c.setIssuedAt(now);
    NumericDate exp = NumericDate.fromMilliseconds(clock.millis());
    exp.addSeconds(ttl.toSeconds());
    c.setExpirationTime(exp);
    config.issuer().ifPresent(c::setIssuer);
    if (!config.audience().isEmpty()) {
      c.setAudience(config.audience());
    }
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(c.toJson());
    jws.setAlgorithmHeaderValue(alg);
    jws.setHeader("typ", "JWT");
    jws.setKey(new HmacKey(config.secret().getBytes(StandardCharsets.UTF_8)));
    jws.setDoKeyValidation(false); // short secrets, as the verifier accepts them
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
    }
  }
}
