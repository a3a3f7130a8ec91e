package dev.gatewaywar.ratelimit.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatewaywar.ratelimit.KeyedRateLimiter;
import dev.gatewaywar.ratelimit.RateLimitConfig;
import dev.gatewaywar.ratelimit.RateLimitDecision;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Token buckets in this process, one per key, in a bounded Caffeine cache. A bucket idle for longer
 * than it takes to fill up is full, so forgetting it changes nothing for its client; that is the
 * shortest idle time used, whatever {@code idle_timeout} says. {@code max_keys} bounds memory under
 * a flood of distinct keys (the Go original's map only grew); when it evicts a bucket that was not
 * full, that client starts again from a full one.
 */
public final class LocalBuckets implements KeyedRateLimiter {
  private final Cache<String, Bucket> buckets;
  private final Function<String, Bucket> newBucket;
  private final long limit;

  public LocalBuckets(RateLimitConfig config, LongSupplier nanoTime) {
    BucketConfiguration shape = BucketShape.of(config);
    TimeMeter time = BucketShape.timeMeter(nanoTime, false);
    this.newBucket =
        key ->
            Bucket.builder()
                .withCustomTimePrecision(time)
                .addLimit(shape.getBandwidths()[0])
                .build();
    this.limit = config.burst();
    Duration fill = BucketShape.timeToFill(config);
    Duration idle = config.idleTimeout().compareTo(fill) >= 0 ? config.idleTimeout() : fill;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(config.maxKeys())
            .expireAfterAccess(idle)
            .ticker(nanoTime::getAsLong)
            // evict on the calling thread: the bound holds as keys arrive, not when a
            // background task catches up
            .executor(Runnable::run)
            .build();
  }

  @Override
  public RateLimitDecision tryAcquire(String key) {
    Bucket bucket = buckets.get(key, newBucket);
    return BucketShape.decision(bucket.tryConsumeAndReturnRemaining(1), limit);
  }

  @Override
  public long bucketCount() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  @Override
  public void close() {
    buckets.invalidateAll();
  }
}
