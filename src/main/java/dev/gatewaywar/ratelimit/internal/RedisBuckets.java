package dev.gatewaywar.ratelimit.internal;

import dev.gatewaywar.ratelimit.BackendHealth;
import dev.gatewaywar.ratelimit.KeyedRateLimiter;
import dev.gatewaywar.ratelimit.RateLimitConfig;
import dev.gatewaywar.ratelimit.RateLimitDecision;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Token buckets held in Redis, so every gateway instance draws from the same bucket for a key.
 *
 * <p>Bucket4j's Lettuce proxy manager reads the bucket's state, takes the token locally and writes
 * the new state back with a compare-and-swap Lua script, retrying when another instance wrote
 * first: a take is atomic, and the token bucket is the very same code as in local mode. The state
 * expires from Redis once the bucket would be full again, so idle keys cost Redis nothing. Bucket4j
 * reads the time on the gateway, so instances sharing a Redis need synchronised clocks (NTP).
 */
public final class RedisBuckets implements KeyedRateLimiter {
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(1);
  private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(2);

  private final String prefix;
  private final RedisConnection redis;
  private final BackendHealth health;
  private final Clock clock;
  private final Supplier<BucketConfiguration> shape;
  private final long limit;
  private final Duration timeout;
  private volatile Manager manager;

  /** The proxy manager built over the commands of one connection. */
  private record Manager(
      RedisAsyncCommands<String, byte[]> commands, ProxyManager<String> proxies) {}

  public RedisBuckets(
      RateLimitConfig config, String namespace, RedisConnection redis, Clock clock) {
    this.prefix = "gateway:ratelimit:" + namespace + ":";
    this.redis = redis;
    this.health = redis.health();
    this.clock = clock;
    BucketConfiguration configuration = BucketShape.of(config);
    this.shape = () -> configuration;
    this.limit = config.burst();
    this.timeout = config.redis().timeout();
    redis.commands().ifPresent(this::warmUp);
  }

  /**
   * One take on a key of its own before any request, with a generous timeout: on a cold JVM the
   * first take (class loading, Bucket4j's first serialisation, Redis compiling the script) can
   * outlast a 100 ms timeout, and the first requests would then be let through (or, with {@code
   * deny}, refused) as if Redis were down.
   */
  private void warmUp(RedisAsyncCommands<String, byte[]> commands) {
    try {
      proxies(commands, WARM_UP_TIMEOUT)
          .getProxy(prefix + "~warm-up", shape)
          .tryConsumeAndReturnRemaining(1);
    } catch (RuntimeException e) {
      // not an outage yet: the first request will find out and report it
    }
  }

  @Override
  public RateLimitDecision tryAcquire(String key) {
    Optional<RedisAsyncCommands<String, byte[]>> commands = redis.commands();
    if (commands.isEmpty()) {
      health.failed(new IllegalStateException("not connected"));
      return RateLimitDecision.backendUnavailable();
    }
    try {
      RateLimitDecision d =
          BucketShape.decision(
              managerFor(commands.get())
                  .proxies()
                  .getProxy(prefix + key, shape)
                  .tryConsumeAndReturnRemaining(1),
              limit);
      health.succeeded();
      return d;
    } catch (RuntimeException e) {
      // Lettuce's RedisException (refused, disconnected, command timeout) or Bucket4j's
      // TimeoutException: the request is decided by on_backend_error, not failed with a 500
      health.failed(e);
      return RateLimitDecision.backendUnavailable();
    } finally {
      RedisConnection.forgetNettyThreadLocals();
    }
  }

  private Manager managerFor(RedisAsyncCommands<String, byte[]> commands) {
    Manager m = manager;
    if (m == null || m.commands() != commands) {
      m = new Manager(commands, proxies(commands, timeout));
      manager = m;
    }
    return m;
  }

  private ProxyManager<String> proxies(
      RedisAsyncCommands<String, byte[]> commands, Duration requestTimeout) {
    return Bucket4jLettuce.casBasedBuilder(commands)
        .clientClock(BucketShape.timeMeter(this::wallNanos, true))
        .requestTimeout(requestTimeout)
        .expirationAfterWrite(
            ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
        .build();
  }

  private long wallNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public Optional<BackendHealth> backendHealth() {
    return Optional.of(health);
  }

  @Override
  public long bucketCount() {
    return 0; // the buckets are in Redis
  }

  @Override
  public void close() {
    // the connection belongs to whoever shares it
  }
}
