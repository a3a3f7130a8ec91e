package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Buckets in the gateway's memory (Bucket4j + Caffeine), on a clock the test moves. */
class LocalBucketsTest {
  private final FakeNanoClock clock = new FakeNanoClock(123_456_789L);

  private static RateLimitConfig config(double rps, int burst, int maxKeys, Duration idle) {
    return new RateLimitConfig(
        true,
        rps,
        burst,
        RateLimitConfig.Key.ADDRESS,
        RateLimitConfig.Backend.LOCAL,
        null,
        RateLimitConfig.OnBackendError.ALLOW,
        maxKeys,
        idle);
  }

  @Test
  void burstThenSteadyRateWithinTenPercentOverTenSeconds() {
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(new RateLimitConfig(true, 5, 4), clock)) {
      TokenBucketBehaviour.burstThenSteadyRate(limiter, clock, "a:203.0.113.9");
    }
  }

  @Test
  void otherClientsAreNotAffected() {
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(new RateLimitConfig(true, 5, 2), clock)) {
      assertTrue(limiter.tryAcquire("a:1").allowed());
      assertTrue(limiter.tryAcquire("a:1").allowed());
      assertFalse(limiter.tryAcquire("a:1").allowed());
      RateLimitDecision other = limiter.tryAcquire("a:2");
      assertTrue(other.allowed());
      assertEquals(1, other.remaining());
    }
  }

  @Test
  void fractionalRateRefillsOneTokenPerTwoSeconds() {
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(new RateLimitConfig(true, 0.5, 1), clock)) {
      assertTrue(limiter.tryAcquire("k").allowed());
      RateLimitDecision limited = limiter.tryAcquire("k");
      assertFalse(limited.allowed());
      assertEquals(Duration.ofSeconds(2).toNanos(), limited.nanosUntilNextToken());
      clock.advance(Duration.ofMillis(1999));
      assertFalse(limiter.tryAcquire("k").allowed());
      clock.advance(Duration.ofMillis(1));
      assertTrue(limiter.tryAcquire("k").allowed());
    }
  }

  @Test
  void idleBucketsAreForgotten() {
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(config(5, 4, 1000, Duration.ofMinutes(1)), clock)) {
      limiter.tryAcquire("a");
      limiter.tryAcquire("b");
      assertEquals(2, limiter.bucketCount());
      clock.advance(Duration.ofSeconds(59));
      limiter.tryAcquire("a");
      clock.advance(Duration.ofSeconds(2));
      assertEquals(1, limiter.bucketCount(), "b idle for 61 s is gone, a was used 2 s ago");
    }
  }

  @Test
  void idleTimeShorterThanTheRefillIsStretchedSoEvictionNeverHelpsAClient() {
    // burst 10 at 0.1/s takes 100 s to refill: forgetting a drained bucket after 1 s would hand
    // the client a full one
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(config(0.1, 10, 1000, Duration.ofSeconds(1)), clock)) {
      for (int i = 0; i < 10; i++) {
        assertTrue(limiter.tryAcquire("k").allowed());
      }
      clock.advance(Duration.ofSeconds(30));
      assertEquals(1, limiter.bucketCount());
      RateLimitDecision d = limiter.tryAcquire("k");
      assertTrue(d.allowed());
      assertEquals(2, d.remaining(), "3 tokens refilled in 30 s, one taken now");
    }
  }

  @Test
  void bucketCountNeverPassesMaxKeys() {
    try (KeyedRateLimiter limiter =
        KeyedRateLimiter.local(config(5, 4, 1000, Duration.ofMinutes(5)), clock)) {
      for (int i = 0; i < 20_000; i++) {
        limiter.tryAcquire("a:10.0." + (i >> 8) + "." + (i & 255));
        assertTrue(limiter.bucketCount() <= 1000, "after " + i + " keys");
      }
    }
  }
}
