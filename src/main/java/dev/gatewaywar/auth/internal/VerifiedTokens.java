package dev.gatewaywar.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.TokenException;
import dev.gatewaywar.auth.TokenVerifier;
import java.time.Clock;
import java.time.Duration;

/**
 * Remembers the tokens {@link JwtVerifier} accepted, so a client sending the same token with every
 * request has its signature checked and its JSON parsed once, not per request (that was most of the
 * {@code auth} middleware's CPU time: README, Performance). What can change while a token is reused
 * is checked on every use:
 *
 * <ul>
 *   <li>time: past {@code exp} (plus the clock skew) the entry is not used, and the token goes
 *       through the full check again, which refuses it as expired. {@code nbf} and {@code iat}
 *       passed when it was verified and stay passed as time goes on;
 *   <li>keys: an entry holds the version of the key set it was verified under ({@link
 *       PinnedKeys#version()}); when the JWKS is fetched again, entries verified under the former
 *       keys are checked again, so a key rotated out stops its tokens at once.
 * </ul>
 *
 * <p>Only accepted tokens are kept, keyed by their exact text: a made-up token can never hit, and
 * refusals are not cached. Bounded, so a flood of distinct valid tokens costs at most {@link
 * #MAX_TOKENS} entries.
 */
final class VerifiedTokens implements TokenVerifier {
  /** Distinct tokens remembered; least used go first. At ~1-2 KB each, a few MB at most. */
  static final int MAX_TOKENS = 4096;

  private final TokenVerifier verifier;
  private final PinnedKeys keys;
  private final Clock clock;
  private final long skewMillis;
  private final Cache<String, Entry> accepted;

  private record Entry(Claims claims, long usableUntilMillis, Object keysVersion) {}

  VerifiedTokens(TokenVerifier verifier, PinnedKeys keys, Clock clock, Duration clockSkew) {
    this.verifier = verifier;
    this.keys = keys;
    this.clock = clock;
    this.skewMillis = clockSkew.toMillis();
    this.accepted = Caffeine.newBuilder().maximumSize(MAX_TOKENS).build();
  }

  @Override
  public Claims verify(String token) throws TokenException {
    if (token.length() > JwtVerifier.MAX_TOKEN_CHARS) {
      return verifier.verify(token); // refuses it, without hashing 8 KiB+ of text
    }
    // read before verifying: if the keys change meanwhile, the entry is checked again next time
    Object version = keys.version();
    Entry entry = accepted.getIfPresent(token);
    if (entry != null
        && entry.keysVersion() == version
        && clock.millis() < entry.usableUntilMillis()) {
      return entry.claims();
    }
    Claims claims = verifier.verify(token);
    if (claims.get("exp").orElse(null) instanceof Number exp) {
      accepted.put(token, new Entry(claims, exp.longValue() * 1000 + skewMillis, version));
    }
    return claims;
  }
}
