package dev.gatewaywar.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.AuthConfig.IntrospectionConfig;
import dev.gatewaywar.auth.TokenException;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.auth.TokenVerifier;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * Tokens that are JWTs go to the JWT verifier; any other (opaque) token is asked about at the RFC
 * 7662 introspection endpoint, and the answer is cached for {@code cache_ttl} under the token's
 * SHA-256 (never the token itself), so a busy client costs one introspection per interval. With
 * {@code introspect_jwts}, a JWT that passed the JWT verifier is asked about as well, and refused
 * when the provider says it is no longer active (revoked, its session ended); its claims are still
 * the verified token's own.
 */
final class IntrospectingVerifier implements TokenVerifier {
  private static final Logger LOG = Logger.getLogger(IntrospectingVerifier.class.getName());
  private static final Pattern JWS =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final int MAX_CACHED = 10_000;

  /** What the endpoint said: claims of an active token, or inactive. */
  private record Answer(Optional<Claims> claims) {}

  private final TokenVerifier jwt;
  private final IntrospectionConfig introspection;
  private final AuthConfig config;
  private final Clock clock;
  private final HttpClient http;
  private final String authorization;
  private final Cache<String, Answer> answers;

  IntrospectingVerifier(
      TokenVerifier jwt, IntrospectionConfig introspection, AuthConfig config, Clock clock) {
    this.jwt = jwt;
    this.introspection = introspection;
    this.config = config;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(config.fetchTimeout()).build();
    // RFC 7662 2.1 leaves client authentication to the server; Keycloak takes HTTP Basic
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (form(introspection.clientId()) + ":" + form(introspection.clientSecret()))
                        .getBytes(StandardCharsets.UTF_8));
    this.answers =
        Caffeine.newBuilder()
            .maximumSize(MAX_CACHED)
            .expireAfterWrite(introspection.cacheTtl())
            .ticker(() -> clock.millis() * 1_000_000L)
            // no maintenance on the common pool: nothing of ours runs after the webapp stops
            .executor(Runnable::run)
            .build();
  }

  @Override
  public Claims verify(String token) throws TokenException {
    if (token.length() > JwtVerifier.MAX_TOKEN_CHARS) {
      throw new TokenException(Reason.OVERSIZED);
    }
    if (JWS.matcher(token).matches()) {
      Claims verified = jwt.verify(token);
      if (introspection.introspectJwts()) {
        answer(token).claims().orElseThrow(() -> new TokenException(Reason.INACTIVE));
      }
      return verified;
    }
    Claims claims = answer(token).claims().orElseThrow(() -> new TokenException(Reason.INACTIVE));
    check(claims);
    return claims;
  }

  /** The endpoint's answer about {@code token}, from the cache while it is fresh. */
  private Answer answer(String token) throws TokenException {
    String key = sha256(token);
    Answer answer = answers.getIfPresent(key);
    if (answer == null) {
      answer = introspect(token);
      answers.put(key, answer);
    }
    return answer;
  }

  private Answer introspect(String token) throws TokenException {
    HttpRequest request =
        HttpRequest.newBuilder(introspection.url())
            .timeout(config.fetchTimeout())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("Authorization", authorization)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "token=" + form(token) + "&token_type_hint=access_token"))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      LOG.warning(() -> "introspection at " + introspection.url() + " failed: " + e);
      throw new TokenException(Reason.KEYS_UNAVAILABLE, "introspection unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenException(Reason.KEYS_UNAVAILABLE, "interrupted");
    }
    if (response.statusCode() != 200) {
      LOG.warning(
          () -> "introspection at " + introspection.url() + " answered " + response.statusCode());
      throw new TokenException(Reason.KEYS_UNAVAILABLE, "introspection failed");
    }
    Map<String, Object> body;
    try {
      body = JsonUtil.parseJson(response.body());
    } catch (JoseException e) {
      throw new TokenException(Reason.KEYS_UNAVAILABLE, "introspection answer is not JSON");
    }
    // RFC 7662 2.2: "active" is the only required member; anything but true means inactive
    return new Answer(
        Boolean.TRUE.equals(body.get("active")) ? Optional.of(new Claims(body)) : Optional.empty());
  }

  /** The checks the server's "active" does not cover for us: expiry on cached answers, iss, aud. */
  private void check(Claims claims) throws TokenException {
    Optional<Object> exp = claims.get("exp");
    if (exp.isPresent()
        && exp.get() instanceof Number n
        && n.longValue() + config.clockSkew().toSeconds() <= clock.millis() / 1000) {
      throw new TokenException(Reason.EXPIRED);
    }
    if (config.issuer().isPresent()
        && claims.issuer().isPresent()
        && !config.issuer().equals(claims.issuer())) {
      throw new TokenException(Reason.WRONG_ISSUER);
    }
    if (!config.audience().isEmpty()
        && claims.audience().stream().noneMatch(config.audience()::contains)) {
      throw new TokenException(Reason.WRONG_AUDIENCE);
    }
    for (String name : config.requiredClaims()) {
      if (claims.get(name).isEmpty()) {
        throw new TokenException(Reason.MISSING_CLAIM, "missing claim " + name);
      }
    }
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }
}
