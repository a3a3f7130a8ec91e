package dev.gatewaywar.testing;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Signs test tokens with jose4j, including ones a careful issuer never makes ({@code alg: none},
 * HMAC with a public key): the verifier is tested against what an attacker can send.
 */
public final class Tokens {
  private Tokens() {}

  /** Claims valid for an hour from {@code clock}'s now, with {@code sub}. */
  public static JwtClaims claims(Clock clock, String subject) {
    JwtClaims c = new JwtClaims();
    c.setSubject(subject);
    c.setIssuedAt(NumericDate.fromMilliseconds(clock.millis()));
    NumericDate exp = NumericDate.fromMilliseconds(clock.millis());
    exp.addSeconds(3600);
    c.setExpirationTime(exp);
    return c;
  }

  public static String sign(JwtClaims claims, String alg, Key key, String kid) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(alg);
    jws.setKey(key);
    if (kid != null) {
      jws.setKeyIdHeaderValue(kid);
    }
    jws.setDoKeyValidation(false);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hs(JwtClaims claims, String alg, String secret) {
    return sign(claims, alg, new HmacKey(secret.getBytes(StandardCharsets.UTF_8)), null);
  }

  /** An unsigned token: {@code {"alg":"none"}}, the claims, and an empty signature. */
  public static String none(JwtClaims claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.toJson().getBytes(StandardCharsets.UTF_8))
        + ".";
  }

  /** A fresh key pair as a JWK with {@code kid}, for the algorithm family of {@code alg}. */
  public static PublicJsonWebKey keyFor(String alg, String kid) {
    try {
      KeyPair pair;
      if (alg.startsWith("ES")) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        String curve =
            switch (alg) {
              case "ES256" -> "secp256r1";
              case "ES384" -> "secp384r1";
              default -> "secp521r1";
            };
        g.initialize(new ECGenParameterSpec(curve));
        pair = g.generateKeyPair();
      } else {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        pair = g.generateKeyPair();
      }
      PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
      jwk.setPrivateKey(pair.getPrivate());
      jwk.setKeyId(kid);
      jwk.setAlgorithm(alg);
      jwk.setUse("sig");
      return jwk;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(JwtClaims claims, String alg, PublicJsonWebKey key) {
    return sign(claims, alg, key.getPrivateKey(), key.getKeyId());
  }

  /** The public half of {@code keys} as a JWKS document. */
  public static String jwks(PublicJsonWebKey... keys) {
    JsonWebKeySet set = new JsonWebKeySet();
    for (PublicJsonWebKey k : keys) {
      try {
        set.addJsonWebKey(
            JsonWebKey.Factory.newJwk(k.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
      } catch (JoseException e) {
        throw new IllegalStateException(e);
      }
    }
    return set.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
  }

  /** {@code key}'s public half in PEM. */
  public static String pem(PublicJsonWebKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Claims plus extra ones, for Keycloak-shaped tokens. */
  public static JwtClaims with(JwtClaims c, Map<String, Object> extra) {
    extra.forEach(c::setClaim);
    return c;
  }
}
