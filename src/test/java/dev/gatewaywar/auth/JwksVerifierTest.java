package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.testing.MutableClock;
import dev.gatewaywar.testing.OidcServer;
import dev.gatewaywar.testing.Tokens;
import java.time.Duration;
import java.util.UUID;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code type: jwt} with {@code jwks_url}: keys chosen by {@code kid} from a JWKS served by a real
 * HTTP server on loopback; rotation, scheduled refresh and the refresh rate bound, on an injected
 * clock.
 */
class JwksVerifierTest {
  private final MutableClock clock = new MutableClock();
  private OidcServer server;
  private PublicJsonWebKey keyA;

  @BeforeEach
  void start() throws Exception {
    server = OidcServer.start();
    keyA = Tokens.keyFor("RS256", "key-a");
    server.jwks(Tokens.jwks(keyA));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private TokenVerifier verifier(String extra) {
    return TokenVerifier.of(
        AuthConfigs.auth("  jwks_url: " + server.jwksUrl() + "\n" + extra), clock);
  }

  private JwtClaims valid() {
    return Tokens.claims(clock, "alice");
  }

  private Reason refusal(TokenVerifier v, String token) {
    return assertThrows(TokenException.class, () -> v.verify(token)).reason();
  }

  @Test
  void jwksIsFetchedAtStartAndTheKeyIsChosenByKid() throws Exception {
    PublicJsonWebKey keyB = Tokens.keyFor("RS256", "key-b");
    server.jwks(Tokens.jwks(keyA, keyB));
    TokenVerifier v = verifier("");
    assertEquals(1, server.hits("certs"));

    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", keyB)).subject().get());
    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", keyA)).subject().get());
    assertEquals(1, server.hits("certs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS384", "RS512", "PS256", "ES256", "ES384"})
  void otherAlgorithmsVerifyFromTheJwks(String alg) throws Exception {
    PublicJsonWebKey key = Tokens.keyFor(alg, "k-" + alg);
    server.jwks(Tokens.jwks(key));
    TokenVerifier v = verifier("  algorithms: [" + alg + "]\n");
    assertEquals("alice", v.verify(Tokens.sign(valid(), alg, key)).subject().get());
  }

  @Test
  void unknownKidIsRefusedAndRandomKidsCannotHammerTheJwksEndpoint() {
    TokenVerifier v = verifier("");
    for (int i = 0; i < 500; i++) {
      String kid = UUID.randomUUID().toString();
      assertEquals(
          Reason.UNKNOWN_KEY, refusal(v, Tokens.sign(valid(), "RS256", keyA.getPrivateKey(), kid)));
      clock.advance(Duration.ofMillis(100));
    }
    // 50 s of made-up kids: the start-up fetch plus at most one refresh per 30 s
    assertTrue(server.hits("certs") <= 3, "JWKS fetched " + server.hits("certs") + " times");
  }

  @Test
  void aRotatedKeyIsPickedUpOnFirstUseOnceTheRateBoundAllows() throws Exception {
    TokenVerifier v = verifier("");
    PublicJsonWebKey keyB = Tokens.keyFor("RS256", "key-b");
    server.jwks(Tokens.jwks(keyA, keyB));
    clock.advance(Duration.ofSeconds(31));

    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", keyB)).subject().get());
    assertEquals(2, server.hits("certs"));
  }

  @Test
  void scheduledRefreshDropsARetiredKey() throws Exception {
    TokenVerifier v = verifier("  jwks_refresh: 5m\n");
    String withA = Tokens.sign(valid(), "RS256", keyA);
    v.verify(withA);
    PublicJsonWebKey keyB = Tokens.keyFor("RS256", "key-b");
    server.jwks(Tokens.jwks(keyB));
    clock.advance(Duration.ofMinutes(4));
    v.verify(withA);
    assertEquals(1, server.hits("certs"));

    clock.advance(Duration.ofMinutes(1));

    assertEquals(Reason.UNKNOWN_KEY, refusal(v, withA));
    assertEquals(2, server.hits("certs"));
    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", keyB)).subject().get());
  }

  @Test
  void cachedKeysKeepWorkingWhileTheJwksIsDown() throws Exception {
    TokenVerifier v = verifier("  jwks_refresh: 1m\n");
    server.jwksStatus(500);
    clock.advance(Duration.ofMinutes(2));

    assertEquals("alice", v.verify(Tokens.sign(valid(), "RS256", keyA)).subject().get());
    assertEquals(2, server.hits("certs")); // the scheduled refresh was tried and failed
    PublicJsonWebKey unknown = Tokens.keyFor("RS256", "key-x");
    clock.advance(Duration.ofSeconds(6));
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, Tokens.sign(valid(), "RS256", unknown)));
  }

  @Test
  void jwksDownAtStartGivesUnavailableThenRecoversAfterTheRetryInterval() throws Exception {
    server.jwksStatus(500);
    TokenVerifier v = verifier("");
    String token = Tokens.sign(valid(), "RS256", keyA);

    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, token));
    assertEquals(1, server.hits("certs")); // retried after 5 s, not per request
    server.jwksStatus(200);
    clock.advance(Duration.ofSeconds(5));
    assertEquals("alice", v.verify(token).subject().get());
  }

  @Test
  void aHungJwksEndpointGivesUnavailableWithinTheFetchTimeout() {
    server.jwksDelay(10_000);
    long start = System.nanoTime();
    TokenVerifier v = verifier("  fetch_timeout: 300ms\n");
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, Tokens.sign(valid(), "RS256", keyA)));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 3_000, "took " + millis + " ms");
  }

  @Test
  void unreachableJwksGivesUnavailable() {
    server.close();
    TokenVerifier v = verifier("");
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, Tokens.sign(valid(), "RS256", keyA)));
  }

  @Test
  void hsTokenSignedWithAJwksKeysModulusIsRefused() {
    TokenVerifier v = verifier("");
    String forged =
        Tokens.sign(
            valid(),
            "HS256",
            new org.jose4j.keys.HmacKey(keyA.getPublicKey().getEncoded()),
            "key-a");
    assertEquals(Reason.DISALLOWED_ALGORITHM, refusal(v, forged));
  }
}
