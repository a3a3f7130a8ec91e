package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.testing.MutableClock;
import dev.gatewaywar.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code type: jwt} with a secret or a PEM public key: every reason a token is refused. */
class TokenVerifierTest {
  private static final String SECRET = "your-secret";
  private final MutableClock clock = new MutableClock();
  private final TokenVerifier hs256 =
      TokenVerifier.of(AuthConfigs.auth("  secret: " + SECRET + "\n"), clock);

  private JwtClaims valid() {
    return Tokens.claims(clock, "alice");
  }

  private Reason refusal(TokenVerifier verifier, String token) {
    return assertThrows(TokenException.class, () -> verifier.verify(token)).reason();
  }

  @Test
  void goOriginalConfigAcceptsAnHs256TokenSignedWithItsShortSecret() throws Exception {
    Claims claims = hs256.verify(Tokens.hs(valid(), "HS256", SECRET));

    assertEquals("alice", claims.subject().orElseThrow());
  }

  @Test
  void malformedTokensAreInvalid() {
    assertEquals(Reason.MALFORMED, refusal(hs256, "not-a-jwt"));
    assertEquals(Reason.MALFORMED, refusal(hs256, "a.b.c"));
    String good = Tokens.hs(valid(), "HS256", SECRET);
    assertEquals(Reason.MALFORMED, refusal(hs256, good.substring(0, good.indexOf('.'))));
  }

  @Test
  void tokenSignedWithAnotherSecretHasABadSignature() {
    assertEquals(
        Reason.BAD_SIGNATURE, refusal(hs256, Tokens.hs(valid(), "HS256", "another-secret")));
  }

  @Test
  void tamperedPayloadHasABadSignature() {
    String[] parts = Tokens.hs(valid(), "HS256", SECRET).split("\\.");
    String admin =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                Tokens.claims(clock, "admin").toJson().getBytes(StandardCharsets.UTF_8));
    assertEquals(Reason.BAD_SIGNATURE, refusal(hs256, parts[0] + "." + admin + "." + parts[2]));
  }

  @Test
  void expiredTokenIsRefusedOnceTheSkewIsUsedUp() throws Exception {
    String token = Tokens.hs(valid(), "HS256", SECRET);
    clock.advance(Duration.ofMinutes(60).plusSeconds(30));
    hs256.verify(token); // 30 s late: within the default 60 s skew

    clock.advance(Duration.ofSeconds(31));

    assertEquals(Reason.EXPIRED, refusal(hs256, token));
  }

  @Test
  void tokenWithoutExpiryIsRefused() {
    JwtClaims c = valid();
    c.unsetClaim("exp");
    assertEquals(Reason.MISSING_CLAIM, refusal(hs256, Tokens.hs(c, "HS256", SECRET)));
  }

  @Test
  void notYetValidTokenIsRefused() throws Exception {
    JwtClaims c = valid();
    NumericDate nbf = NumericDate.fromMilliseconds(clock.millis());
    nbf.addSeconds(120);
    c.setNotBefore(nbf);
    String token = Tokens.hs(c, "HS256", SECRET);

    assertEquals(Reason.NOT_YET_VALID, refusal(hs256, token));
    clock.advance(Duration.ofSeconds(61)); // nbf now 59 s ahead: inside the skew
    hs256.verify(token);
  }

  @Test
  void configuredSkewReplacesTheDefault() {
    TokenVerifier strict =
        TokenVerifier.of(AuthConfigs.auth("  secret: s\n  clock_skew: 1s\n"), clock);
    String token = Tokens.hs(valid(), "HS256", "s");
    clock.advance(Duration.ofMinutes(60).plusSeconds(2));
    assertEquals(Reason.EXPIRED, refusal(strict, token));
  }

  @Test
  void wrongIssuerAndMissingIssuerAreRefused() throws Exception {
    TokenVerifier v =
        TokenVerifier.of(AuthConfigs.auth("  secret: s\n  issuer: https://id.example\n"), clock);
    JwtClaims c = valid();
    c.setIssuer("https://evil.example");
    assertEquals(Reason.WRONG_ISSUER, refusal(v, Tokens.hs(c, "HS256", "s")));
    assertEquals(Reason.WRONG_ISSUER, refusal(v, Tokens.hs(valid(), "HS256", "s")));
    c.setIssuer("https://id.example");
    assertEquals("https://id.example", v.verify(Tokens.hs(c, "HS256", "s")).issuer().get());
  }

  @Test
  void wrongAudienceIsRefusedAndAnyConfiguredOneIsAccepted() throws Exception {
    TokenVerifier v =
        TokenVerifier.of(AuthConfigs.auth("  secret: s\n  audience: [api, admin-api]\n"), clock);
    JwtClaims c = valid();
    c.setAudience("billing");
    assertEquals(Reason.WRONG_AUDIENCE, refusal(v, Tokens.hs(c, "HS256", "s")));
    assertEquals(Reason.WRONG_AUDIENCE, refusal(v, Tokens.hs(valid(), "HS256", "s")));
    c.setAudience("other", "admin-api");
    assertEquals(List.of("other", "admin-api"), v.verify(Tokens.hs(c, "HS256", "s")).audience());
  }

  @Test
  void requiredClaimsMustBePresent() throws Exception {
    TokenVerifier v =
        TokenVerifier.of(AuthConfigs.auth("  secret: s\n  required_claims: [sub, email]\n"), clock);
    assertEquals(Reason.MISSING_CLAIM, refusal(v, Tokens.hs(valid(), "HS256", "s")));
    JwtClaims c = valid();
    c.setClaim("email", "alice@example.com");
    v.verify(Tokens.hs(c, "HS256", "s"));
  }

  @Test
  void algNoneIsRefused() {
    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(hs256, Tokens.none(valid())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS384", "HS512"})
  void anHsAlgorithmOtherThanTheConfiguredOneIsRefused(String alg) {
    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(hs256, Tokens.hs(valid(), alg, SECRET)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS384", "HS512"})
  void hs384AndHs512WorkWhenConfigured(String alg) throws Exception {
    String secret = "a-secret-long-enough-for-any-of-the-hmac-algorithms-0123456789";
    TokenVerifier v =
        TokenVerifier.of(
            AuthConfigs.auth("  secret: " + secret + "\n  algorithms: [" + alg + "]\n"), clock);
    assertEquals("alice", v.verify(Tokens.hs(valid(), alg, secret)).subject().get());
    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(v, Tokens.hs(valid(), "HS256", secret)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"})
  void asymmetricAlgorithmsVerifyWithAPemPublicKey(String alg) throws Exception {
    PublicJsonWebKey key = Tokens.keyFor(alg, null);
    TokenVerifier v = TokenVerifier.of(pemConfig(alg, Tokens.pem(key)), clock);

    assertEquals("alice", v.verify(Tokens.sign(valid(), alg, key)).subject().get());
    PublicJsonWebKey other = Tokens.keyFor(alg, null);
    assertEquals(Reason.BAD_SIGNATURE, refusal(v, Tokens.sign(valid(), alg, other)));
  }

  @Test
  void publicKeyFileIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    PublicJsonWebKey key = Tokens.keyFor("RS256", null);
    java.nio.file.Path pem = dir.resolve("key.pem");
    java.nio.file.Files.writeString(pem, Tokens.pem(key));
    TokenVerifier v = TokenVerifier.of(AuthConfigs.auth("  public_key_file: " + pem + "\n"), clock);
    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", key)).subject().get());
  }

  @Test
  void rsToHsConfusionIsRefused() {
    PublicJsonWebKey key = Tokens.keyFor("RS256", null);
    String pem = Tokens.pem(key);
    TokenVerifier v = TokenVerifier.of(pemConfig("RS256", pem), clock);
    // the classic attack: HS256 with the server's public key (as PEM text, or DER) as the secret
    String withPem =
        Tokens.sign(valid(), "HS256", new HmacKey(pem.getBytes(StandardCharsets.US_ASCII)), null);
    String withDer =
        Tokens.sign(valid(), "HS256", new HmacKey(key.getPublicKey().getEncoded()), null);

    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(v, withPem));
    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(v, withDer));
  }

  @Test
  void anRsaKeyDoesNotVerifyAnEsToken() {
    PublicJsonWebKey rsa = Tokens.keyFor("RS256", null);
    TokenVerifier v = TokenVerifier.of(pemConfig("RS256\", \"ES256", Tokens.pem(rsa)), clock);
    PublicJsonWebKey ec = Tokens.keyFor("ES256", null);
    assertEquals(Reason.UNKNOWN_KEY, refusal(v, Tokens.sign(valid(), "ES256", ec)));
  }

  @Test
  void oversizedTokenIsRefusedBeforeParsing() {
    JwtClaims c = valid();
    c.setClaim("padding", "x".repeat(9000));
    assertEquals(Reason.OVERSIZED, refusal(hs256, Tokens.hs(c, "HS256", SECRET)));
  }

  @Test
  void claimsGiveTypedAccessAndRolesFromEveryPlace() throws Exception {
    JwtClaims c = valid();
    c.setClaim("realm_access", Map.of("roles", List.of("user")));
    c.setClaim("resource_access", Map.of("gateway", Map.of("roles", List.of("admin"))));
    c.setClaim("roles", List.of("ops"));
    c.setClaim("n", 42);
    Claims claims = hs256.verify(Tokens.hs(c, "HS256", SECRET));

    assertEquals(
        java.util.Set.of("user", "admin", "ops"), claims.roles(java.util.Optional.of("gateway")));
    assertEquals(java.util.Set.of("user", "ops"), claims.roles(java.util.Optional.empty()));
    assertEquals("user", claims.string("realm_access.roles").get());
    assertEquals("42", claims.string("n").get());
    assertEquals(java.util.Optional.empty(), claims.string("realm_access"));
  }

  @Test
  void refusalMessagesNeverCarryTheTokenOrTheSecret() {
    JwtClaims expired = valid();
    expired.setExpirationTime(NumericDate.fromMilliseconds(clock.millis() - 600_000));
    for (String token :
        List.of(
            Tokens.hs(expired, "HS256", SECRET),
            Tokens.hs(valid(), "HS256", "wrong-secret"),
            Tokens.none(valid()),
            "garbage.garbage.garbage")) {
      String message = assertThrows(TokenException.class, () -> hs256.verify(token)).getMessage();
      for (String part : token.split("\\.")) {
        assertEquals(false, message.contains(part), message);
      }
      assertEquals(false, message.contains(SECRET), message);
    }
  }

  @Test
  void secretNeverAppearsInTheConfigsText() {
    assertEquals(
        false, AuthConfigs.auth("  secret: hunter2-hunter2\n").toString().contains("hunter2"));
  }

  private static dev.gatewaywar.auth.AuthConfig pemConfig(String algs, String pem) {
    return AuthConfigs.auth(
        "  algorithms: [\""
            + algs
            + "\"]\n  public_key: |\n"
            + pem.lines().map(l -> "    " + l + "\n").reduce("", String::concat));
  }
}
