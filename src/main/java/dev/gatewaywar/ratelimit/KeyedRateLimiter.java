package dev.gatewaywar.ratelimit;

import dev.gatewaywar.ratelimit.internal.LocalBuckets;
import dev.gatewaywar.ratelimit.internal.RedisBuckets;
import dev.gatewaywar.ratelimit.internal.RedisConnection;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One token bucket per key, the seam between the rate-limit filter and the token-bucket library
 * (Bucket4j): in this process, or shared by every gateway instance through Redis.
 */
public interface KeyedRateLimiter extends AutoCloseable {

  /** Takes one token from {@code key}'s bucket, if there is one. Never waits for a token. */
  RateLimitDecision tryAcquire(String key);

  /** How many buckets are held in this process (for tests and the memory benchmark). */
  long bucketCount();

  /** The shared backend's health and error count; empty for buckets in this process. */
  default Optional<BackendHealth> backendHealth() {
    return Optional.empty();
  }

  @Override
  void close();

  /**
   * Buckets in this process, evicted when idle for {@code config.idleTimeout()} or when more than
   * {@code config.maxKeys()} exist.
   *
   * @param nanoTime a monotonic clock ({@code System::nanoTime}); tests pass their own
   */
  static KeyedRateLimiter local(RateLimitConfig config, LongSupplier nanoTime) {
    return new LocalBuckets(config, nanoTime);
  }

  /**
   * Buckets in Redis under {@code namespace}, shared with every gateway that uses the same Redis
   * and namespace.
   *
   * @param redis the connection, shared by the limiters of one configuration
   * @param clock the wall clock: bucket state in Redis is written by several machines, so their
   *     time must be comparable, which a monotonic clock is not
   */
  static KeyedRateLimiter redis(
      RateLimitConfig config, String namespace, RedisConnection redis, Clock clock) {
    return new RedisBuckets(config, namespace, redis, clock);
  }
}
