package dev.gatewaywar.auth.internal;

import dev.gatewaywar.auth.TokenException.Reason;
import java.io.IOException;
import java.net.URI;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * A JSON Web Key Set fetched from a URL and kept, refreshed when it is older than {@code
 * refreshAfter} and when a token names a {@code kid} it does not hold. Refreshes are rate-bounded:
 * at most one per {@code minInterval} after a success and one per {@code retryAfterFailure} after a
 * failure, so a stream of tokens with made-up {@code kid}s costs the JWKS endpoint at most one
 * request per interval. When a fetch fails the keys already held stay in use.
 *
 * <p>Time comes from the injected clock; nothing runs in the background.
 */
final class JwksCache implements PinnedKeys.Source {
  static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_RETRY_AFTER_FAILURE = Duration.ofSeconds(5);
  private static final Logger LOG = Logger.getLogger(JwksCache.class.getName());

  /** Where the key set is: a fixed URL, or one a discovery document names. */
  @FunctionalInterface
  interface Location {
    URI jwksUri() throws IOException;
  }

  private final Location location;
  private final HttpFetch http;
  private final Clock clock;
  private final Duration refreshAfter;
  private final Duration minInterval;
  private final Duration retryAfterFailure;
  private final ReentrantLock fetching = new ReentrantLock();
  private final VerificationJwkSelector selector = new VerificationJwkSelector();

  private volatile List<JsonWebKey> keys = List.of();
  private volatile Instant fetchedAt;
  private volatile Instant lastAttempt;
  private volatile boolean lastFailed;
  private volatile int fetches;

  JwksCache(
      Location location,
      HttpFetch http,
      Clock clock,
      Duration refreshAfter,
      Duration minInterval,
      Duration retryAfterFailure) {
    this.location = location;
    this.http = http;
    this.clock = clock;
    this.refreshAfter = refreshAfter;
    this.minInterval = minInterval;
    this.retryAfterFailure = retryAfterFailure;
  }

  /** Fetches now (at start-up); a failure is logged and retried when a token needs a key. */
  void prefetch() {
    fetching.lock();
    try {
      fetch();
    } finally {
      fetching.unlock();
    }
  }

  /**
   * The key list itself: every successful fetch makes a new one. Also does the scheduled refresh,
   * as {@link #keyFor} does: tokens accepted from the cache of verified tokens never ask for a key,
   * and the keys must still be refreshed, so a key rotated out of the JWKS is noticed.
   */
  @Override
  public Object version() {
    refreshIfStale();
    return keys;
  }

  @Override
  public Key keyFor(JsonWebSignature jws) throws UnresolvableKeyException {
    refreshIfStale();
    JsonWebKey key = select(jws);
    if (key == null) {
      fetching.lock();
      try {
        key = select(jws);
        if (key == null && mayFetch()) {
          fetch();
          key = select(jws);
        }
      } finally {
        fetching.unlock();
      }
    }
    if (key != null) {
      return key.getKey();
    }
    if (lastFailed) {
      throw new KeyProblem(Reason.KEYS_UNAVAILABLE, "JWKS unreachable and no cached key fits");
    }
    throw new KeyProblem(Reason.UNKNOWN_KEY, "no key in the JWKS fits the token");
  }

  private void refreshIfStale() {
    if (isStale() && fetching.tryLock()) {
      // scheduled refresh: one request does it, the others carry on with the keys held
      try {
        if (isStale()) {
          fetch();
        }
      } finally {
        fetching.unlock();
      }
    }
  }

  /** How many fetches were attempted: for tests and diagnostics. */
  int fetches() {
    return fetches;
  }

  private JsonWebKey select(JsonWebSignature jws) throws UnresolvableKeyException {
    List<JsonWebKey> held = keys;
    if (held.isEmpty()) {
      return null;
    }
    try {
      return selector.selectWithVerifySignatureDisambiguate(jws, held);
    } catch (JoseException e) {
      throw new KeyProblem(Reason.UNKNOWN_KEY, "no usable key: " + e.getMessage());
    }
  }

  private boolean isStale() {
    Instant at = fetchedAt;
    return at != null && !clock.instant().isBefore(at.plus(refreshAfter)) && mayFetch();
  }

  private boolean mayFetch() {
    Instant last = lastAttempt;
    return last == null
        || !clock.instant().isBefore(last.plus(lastFailed ? retryAfterFailure : minInterval));
  }

  /** Called with {@link #fetching} held. */
  private void fetch() {
    lastAttempt = clock.instant();
    fetches++;
    URI uri = null;
    try {
      uri = location.jwksUri();
      JsonWebKeySet set = new JsonWebKeySet(http.body(uri));
      keys = List.copyOf(set.getJsonWebKeys());
      fetchedAt = lastAttempt;
      lastFailed = false;
      LOG.fine(() -> "fetched " + keys.size() + " keys from the JWKS");
    } catch (IOException | JoseException | RuntimeException e) {
      lastFailed = true;
      LOG.log(
          Level.WARNING,
          "cannot fetch the JWKS"
              + (uri == null ? "" : " from " + uri)
              + " (keeping "
              + keys.size()
              + " cached keys): "
              + e);
    }
  }
}
