package dev.gatewaywar.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.AuthBlock;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.TokenException;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.auth.TokenVerifier;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.testing.MutableClock;
import dev.gatewaywar.testing.TestLoaders;
import dev.gatewaywar.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

/** The cache of accepted tokens in front of the JWT checks: what it may and may not skip. */
class VerifiedTokensTest {
  private static final String SECRET = "a-secret-long-enough-for-hs256-0123456789";

  private final MutableClock clock = new MutableClock();
  private final AuthConfig config = config();
  private final AtomicReference<Key> currentKey = new AtomicReference<>(hmac(SECRET));
  private final AtomicInteger keyVersion = new AtomicInteger();

  /** A key source whose key the test can rotate, like a re-fetched JWKS. */
  private final PinnedKeys keys =
      new PinnedKeys(
          config.effectiveAlgorithms(),
          new PinnedKeys.Source() {
            @Override
            public Key keyFor(org.jose4j.jws.JsonWebSignature jws) {
              return currentKey.get();
            }

            @Override
            public Object version() {
              return currentKey.get();
            }
          });

  private final AtomicInteger fullChecks = new AtomicInteger();
  private final TokenVerifier jwt = new JwtVerifier(config, keys, clock);
  private final TokenVerifier cached =
      new VerifiedTokens(
          token -> {
            fullChecks.incrementAndGet();
            return jwt.verify(token);
          },
          keys,
          clock,
          config.clockSkew());

  private static AuthConfig config() {
    try {
      return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, k -> null)
          .parse("routes: []\nauth:\n  enabled: true\n  secret: " + SECRET + "\n", "test")
          .global(AuthBlock.INSTANCE);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static Key hmac(String secret) {
    return new HmacKey(secret.getBytes(StandardCharsets.UTF_8));
  }

  private String token(String subject) {
    return Tokens.hs(Tokens.claims(clock, subject), "HS256", SECRET);
  }

  @Test
  void aTokenSentWithEveryRequestIsCheckedOnce() throws Exception {
    String token = token("alice");

    for (int i = 0; i < 5; i++) {
      Claims claims = cached.verify(token);
      assertEquals("alice", claims.subject().orElseThrow());
    }

    assertEquals(1, fullChecks.get());
  }

  @Test
  void anExpiredTokenIsRefusedAlthoughItWasAccepted() throws Exception {
    String token = token("alice"); // Tokens.claims: valid for 60 min
    cached.verify(token);
    clock.advance(Duration.ofMinutes(60).plus(config.clockSkew()).minusSeconds(1));
    cached.verify(token);
    assertEquals(1, fullChecks.get());

    clock.advance(Duration.ofSeconds(1));

    assertEquals(
        Reason.EXPIRED, assertThrows(TokenException.class, () -> cached.verify(token)).reason());
  }

  @Test
  void aRotatedKeyStopsTheTokensItSigned() throws Exception {
    String token = token("alice");
    cached.verify(token);

    currentKey.set(hmac("another-secret-long-enough-for-hs256-0123"));

    assertEquals(
        Reason.BAD_SIGNATURE,
        assertThrows(TokenException.class, () -> cached.verify(token)).reason());
  }

  @Test
  void refusedTokensAreNotRemembered() {
    String forged =
        Tokens.hs(Tokens.claims(clock, "mallory"), "HS256", "not-the-secret-0123456789");

    for (int i = 0; i < 3; i++) {
      assertThrows(TokenException.class, () -> cached.verify(forged));
    }

    assertEquals(3, fullChecks.get());
  }

  @Test
  void eachTokenIsRememberedByItsExactText() throws Exception {
    cached.verify(token("alice"));

    assertEquals("bob", cached.verify(token("bob")).subject().orElseThrow());
    assertEquals(2, fullChecks.get());
  }
}
