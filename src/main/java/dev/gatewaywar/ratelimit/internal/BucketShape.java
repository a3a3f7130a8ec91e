package dev.gatewaywar.ratelimit.internal;

import dev.gatewaywar.ratelimit.RateLimitConfig;
import dev.gatewaywar.ratelimit.RateLimitDecision;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The bucket a {@link RateLimitConfig} describes, in Bucket4j's terms: capacity {@code burst},
 * starting full, refilled greedily (continuously, a token every {@code 1/requests_per_second}
 * seconds rather than all at once per second), so the contract's token bucket is exactly Bucket4j's
 * classic bandwidth.
 */
public final class BucketShape {
  private BucketShape() {}

  public static BucketConfiguration of(RateLimitConfig config) {
    return BucketConfiguration.builder()
        .addLimit(
            limit ->
                limit
                    .capacity(config.burst())
                    .refillGreedy(1, tokenInterval(config.requestsPerSecond())))
        .build();
  }

  /**
   * One token's worth of time. Expressed as one token per interval, not {@code rps} tokens per
   * second, so fractional rates (0.5/s) need no rounding beyond a nanosecond.
   */
  static Duration tokenInterval(double requestsPerSecond) {
    return Duration.ofNanos(Math.max(1, Math.round(1e9 / requestsPerSecond)));
  }

  /** How long a drained bucket takes to fill up again. */
  public static Duration timeToFill(RateLimitConfig config) {
    return tokenInterval(config.requestsPerSecond()).multipliedBy(config.burst());
  }

  /** A Bucket4j time meter reading {@code nanoTime}. */
  public static TimeMeter timeMeter(LongSupplier nanoTime, boolean wallClock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return nanoTime.getAsLong();
      }

      @Override
      public boolean isWallClockBased() {
        return wallClock;
      }
    };
  }

  public static RateLimitDecision decision(ConsumptionProbe probe, long limit) {
    return new RateLimitDecision(
        probe.isConsumed() ? RateLimitDecision.Outcome.ALLOWED : RateLimitDecision.Outcome.LIMITED,
        limit,
        probe.getRemainingTokens(),
        probe.getNanosToWaitForReset(),
        probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill());
  }
}
