package dev.gatewaywar.auth.internal;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.TokenException;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.auth.TokenVerifier;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.InvalidAlgorithmException;

/**
 * Verifies a signed JWT with jose4j: signature with a key from {@link PinnedKeys}, the accepted
 * algorithms pinned by config, {@code exp} required, {@code nbf}/{@code iat}/{@code exp} checked
 * against the injected clock with the configured skew, then issuer, audience and required claims.
 */
final class JwtVerifier implements TokenVerifier {
  /** Far above any real JWT (Keycloak's with many roles run to 2-4 KiB), far below a DoS. */
  static final int MAX_TOKEN_CHARS = 8 * 1024;

  private final AuthConfig config;
  private final AlgorithmConstraints algorithms;
  private final VerificationKeyResolver keys;
  private final Clock clock;
  private final boolean hmac;

  JwtVerifier(AuthConfig config, VerificationKeyResolver keys, Clock clock) {
    List<String> algs = config.effectiveAlgorithms();
    this.config = config;
    this.algorithms = new AlgorithmConstraints(ConstraintType.PERMIT, algs.toArray(new String[0]));
    this.keys = keys;
    this.clock = clock;
    this.hmac = algs.stream().allMatch(AuthConfig.HMAC_ALGORITHMS::contains);
  }

  @Override
  public Claims verify(String token) throws TokenException {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new TokenException(Reason.OVERSIZED);
    }
    JwtClaims claims;
    try {
      claims = consumer().processToClaims(token);
    } catch (InvalidJwtException e) {
      throw new TokenException(reasonFor(e), describe(e));
    }
    Claims result = new Claims(claims.getClaimsMap());
    checkClaims(result);
    return result;
  }

  /**
   * Built per token because jose4j fixes the evaluation time at build time; the parts that cost
   * (keys, constraints) are shared.
   */
  private org.jose4j.jwt.consumer.JwtConsumer consumer() {
    JwtConsumerBuilder b =
        new JwtConsumerBuilder()
            .setJwsAlgorithmConstraints(algorithms)
            .setVerificationKeyResolver(keys)
            .setRequireExpirationTime()
            .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
            .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()));
    config.issuer().ifPresent(iss -> b.setExpectedIssuer(true, iss));
    if (config.audience().isEmpty()) {
      b.setSkipDefaultAudienceValidation();
    } else {
      b.setExpectedAudience(true, config.audience().toArray(new String[0]));
    }
    if (hmac) {
      // The Go original's configs use short secrets ("your-secret"); jose4j would refuse any
      // HMAC key under the hash's length (RFC 7518 3.2). We accept them and warn at start-up.
      b.setRelaxVerificationKeyValidation();
    }
    return b.build();
  }

  private void checkClaims(Claims claims) throws TokenException {
    for (String name : config.requiredClaims()) {
      if (claims.get(name).isEmpty()) {
        throw new TokenException(Reason.MISSING_CLAIM, "missing claim " + name);
      }
    }
    if (config.usesDiscovery()) {
      // Keycloak marks access tokens typ=Bearer; an ID or refresh token from the same realm is
      // signed with the same key and must not pass for one
      Optional<String> typ = claims.string("typ");
      if (typ.isPresent() && !typ.get().equalsIgnoreCase("Bearer")) {
        throw new TokenException(Reason.WRONG_TOKEN_TYPE, "token typ " + typ.get());
      }
      Optional<String> client = config.clientId();
      if (client.isPresent()
          && !client.equals(claims.string("azp"))
          && !claims.audience().contains(client.get())) {
        throw new TokenException(Reason.WRONG_AUDIENCE, "token not issued for the client");
      }
    }
  }

  static Reason reasonFor(InvalidJwtException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KeyProblem p) {
        return p.reason();
      }
      if (t instanceof InvalidAlgorithmException) {
        return Reason.DISALLOWED_ALGORITHM;
      }
    }
    if (e.hasExpired()) {
      return Reason.EXPIRED;
    }
    if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)
        || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
      return Reason.NOT_YET_VALID;
    }
    if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
      return Reason.WRONG_ISSUER;
    }
    if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)
        || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
      return Reason.WRONG_AUDIENCE;
    }
    if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
      return Reason.BAD_SIGNATURE;
    }
    if (e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
      return Reason.DISALLOWED_ALGORITHM;
    }
    if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
      return Reason.MISSING_CLAIM;
    }
    return Reason.MALFORMED;
  }

  /**
   * jose4j's messages may quote the whole JWT (its JwtContext prints it): keep only the reason and
   * jose4j's numeric error codes, which carry no token.
   */
  private static String describe(InvalidJwtException e) {
    StringBuilder s = new StringBuilder(reasonFor(e).description()).append(" (jose4j codes");
    for (var d : e.getErrorDetails()) {
      s.append(' ').append(d.getErrorCode());
    }
    return s.append(')').toString();
  }
}
