package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Why the limiter is Bucket4j and not resilience4j (the first choice): resilience4j's
 * {@code AtomicRateLimiter} is a fixed-window limiter. Each {@code limitRefreshPeriod} it sets the
 * permissions back to {@code limitForPeriod} (never above), so the two numbers of the contract can
 * be mapped onto it in only two ways, and each breaks one half of "token bucket of burst capacity
 * refilled at requests_per_second". Measured here on both libraries with the same hand-moved clock,
 * burst 4 and 5 requests per second.
 */
class Resilience4jModelTest {
  private final FakeNanoClock clock = new FakeNanoClock(0);

  private AtomicRateLimiter resilience4j(int limitForPeriod, Duration period) {
    return new AtomicRateLimiter(
        "r4j",
        RateLimiterConfig.custom()
            .limitForPeriod(limitForPeriod)
            .limitRefreshPeriod(period)
            .timeoutDuration(Duration.ZERO)
            .build(),
        clock::getAsLong);
  }

  private static int take(AtomicRateLimiter l, int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; i++) {
      if (l.acquirePermission()) {
        n++;
      }
    }
    return n;
  }

  private static int take(KeyedRateLimiter l, int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; i++) {
      if (l.tryAcquire("k").allowed()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void burstAsLimitForPeriodAdmitsTwiceTheBurstAcrossAWindowEdge() {
    // limitForPeriod = burst, limitRefreshPeriod = burst / rps (0.8 s): the long-run rate is right
    AtomicRateLimiter r4j = resilience4j(4, Duration.ofMillis(800));
    try (KeyedRateLimiter bucket = KeyedRateLimiter.local(new RateLimitConfig(true, 5, 4), clock)) {
      clock.advance(Duration.ofMillis(799));
      int r4jBefore = take(r4j, 10);
      int bucketBefore = take(bucket, 10);
      clock.advance(Duration.ofMillis(1));
      int r4jAfter = take(r4j, 10);
      int bucketAfter = take(bucket, 10);

      // within 1 ms resilience4j lets 8 through: twice the burst the contract allows
      assertEquals(8, r4jBefore + r4jAfter);
      assertEquals(4, bucketBefore + bucketAfter);
    }
  }

  @Test
  void rateAsLimitForPeriodHasNoBurst() {
    // limitForPeriod = 1, limitRefreshPeriod = 1 / rps (0.2 s): smooth, but a quiet client gets 1
    AtomicRateLimiter r4j = resilience4j(1, Duration.ofMillis(200));
    try (KeyedRateLimiter bucket = KeyedRateLimiter.local(new RateLimitConfig(true, 5, 4), clock)) {
      clock.advance(Duration.ofSeconds(10));
      assertEquals(1, take(r4j, 10));
      assertEquals(4, take(bucket, 10));
    }
  }
}
