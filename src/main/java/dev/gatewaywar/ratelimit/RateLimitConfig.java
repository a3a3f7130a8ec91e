package dev.gatewaywar.ratelimit;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code rate_limit:} block, global or on a route: a token bucket of {@code burst} tokens refilled
 * at {@code requestsPerSecond}, one bucket per client key. The Go original's three keys ({@code
 * enabled}, {@code requests_per_second}, {@code burst}) mean what they meant there; the others have
 * defaults.
 *
 * @param enabled false: routes listing {@code ratelimit} pass every request
 * @param requestsPerSecond the refill rate, the long-run rate a client may keep up
 * @param burst the bucket's capacity: how many requests a client that was quiet may make at once
 * @param key what a bucket belongs to
 * @param backend where buckets live
 * @param redis the shared Redis, for {@link Backend#REDIS}
 * @param onBackendError what to do with a request when Redis cannot be asked
 * @param maxKeys the most buckets kept in memory (local backend); the least recently used go first
 * @param idleTimeout a bucket untouched this long is forgotten (local backend)
 */
public record RateLimitConfig(
    boolean enabled,
    double requestsPerSecond,
    int burst,
    Key key,
    Backend backend,
    RedisConfig redis,
    OnBackendError onBackendError,
    int maxKeys,
    Duration idleTimeout) {

  public static final double DEFAULT_REQUESTS_PER_SECOND = 10;
  public static final int DEFAULT_BURST = 20;
  public static final double MAX_REQUESTS_PER_SECOND = 1_000_000;
  public static final int DEFAULT_MAX_KEYS = 100_000;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

  public static final RateLimitConfig DEFAULT =
      new RateLimitConfig(false, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_BURST);

  public RateLimitConfig {
    if (!(requestsPerSecond > 0) || requestsPerSecond > MAX_REQUESTS_PER_SECOND) {
      throw new IllegalArgumentException(
          "requests_per_second must be above 0 and at most " + (long) MAX_REQUESTS_PER_SECOND);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1");
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("max_keys must be at least 1");
    }
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(onBackendError, "on_backend_error");
    Objects.requireNonNull(idleTimeout, "idle_timeout");
    if (backend == Backend.REDIS && redis == null) {
      throw new IllegalArgumentException("backend redis needs redis.url");
    }
  }

  /** The Go original's block: keyed by client address, buckets in this process. */
  public RateLimitConfig(boolean enabled, double requestsPerSecond, int burst) {
    this(
        enabled,
        requestsPerSecond,
        burst,
        Key.ADDRESS,
        Backend.LOCAL,
        null,
        OnBackendError.ALLOW,
        DEFAULT_MAX_KEYS,
        DEFAULT_IDLE_TIMEOUT);
  }

  /** Where buckets live. */
  public enum Backend {
    /** In this gateway's memory: each instance limits on its own. */
    LOCAL,
    /** In one Redis shared by every instance: a client has one bucket, whichever it reaches. */
    REDIS
  }

  /** What happens to a request when the shared backend cannot be asked in time. */
  public enum OnBackendError {
    ALLOW,
    DENY
  }

  /**
   * What a bucket belongs to: {@code address} (the client address, see {@code
   * server.trusted_proxies}), {@code header:NAME} (a request header such as an API key; requests
   * without it fall back to their address), {@code claim:NAME} (a claim of the token {@code auth}
   * verified earlier in the route) or {@code consumer} (the consumer whose key {@code api_key}
   * accepted earlier in the route).
   */
  public record Key(Kind kind, String name) {
    public static final Key ADDRESS = new Key(Kind.ADDRESS, "");
    public static final Key CONSUMER = new Key(Kind.CONSUMER, "");

    public enum Kind {
      ADDRESS,
      HEADER,
      CLAIM,
      CONSUMER
    }

    /**
     * @throws IllegalArgumentException when {@code text} is none of the forms
     */
    public static Key parse(String text) {
      String t = text.trim();
      int colon = t.indexOf(':');
      String kind = (colon < 0 ? t : t.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
      String name = colon < 0 ? "" : t.substring(colon + 1).trim();
      switch (kind) {
        case "address" -> {
          if (colon < 0) {
            return ADDRESS;
          }
        }
        case "consumer" -> {
          if (colon < 0) {
            return CONSUMER;
          }
        }
        case "header", "claim" -> {
          if (!name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            return new Key(kind.equals("header") ? Kind.HEADER : Kind.CLAIM, name);
          }
        }
        default -> {}
      }
      throw new IllegalArgumentException(
          "must be address, header:NAME, claim:NAME or consumer; was '" + text + "'");
    }

    @Override
    public String toString() {
      String kindName = kind.name().toLowerCase(Locale.ROOT);
      return name.isEmpty() ? kindName : kindName + ":" + name;
    }
  }

  /**
   * {@code redis:} inside {@code rate_limit:}.
   *
   * @param url {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for
   *     TLS
   * @param timeout the longest a request waits for Redis before {@code on_backend_error} decides
   */
  public record RedisConfig(URI url, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);

    public RedisConfig {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(timeout, "timeout");
    }

    /** The URL without its password, for logs and messages. */
    public String describe() {
      return url.getScheme()
          + "://"
          + url.getHost()
          + (url.getPort() < 0 ? "" : ":" + url.getPort())
          + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
      return "RedisConfig[url=" + describe() + ", timeout=" + timeout + "]";
    }
  }
}
