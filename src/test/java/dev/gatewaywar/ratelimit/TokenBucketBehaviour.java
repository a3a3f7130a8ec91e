package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

/**
 * The contract's token bucket, checked the same way against every backend: a quiet client gets
 * {@code burst} at once, then {@code requests_per_second} (within ±10% over 10 s), with the clock
 * moved by the test, never slept on.
 */
final class TokenBucketBehaviour {
  private TokenBucketBehaviour() {}

  /** burst 4, 5/s: what the {@code rate_limit:} block in docs/configuration.md (Every key) sets. */
  static void burstThenSteadyRate(KeyedRateLimiter limiter, FakeNanoClock clock, String key) {
    for (int i = 0; i < 4; i++) {
      RateLimitDecision d = limiter.tryAcquire(key);
      assertTrue(d.allowed(), "burst request " + (i + 1));
      assertEquals(4, d.limit());
      assertEquals(3 - i, d.remaining());
    }
    RateLimitDecision limited = limiter.tryAcquire(key);
    assertEquals(RateLimitDecision.Outcome.LIMITED, limited.outcome());
    assertEquals(0, limited.remaining());
    // the next token is one refill interval (1/5 s) away; the bucket is full in 4 of them
    assertEquals(Duration.ofMillis(200).toNanos(), limited.nanosUntilNextToken());
    assertEquals(Duration.ofMillis(800).toNanos(), limited.nanosUntilFull());

    // a client asking every 10 ms for 10 s: 1,000 attempts
    int admitted = 0;
    int[] perSecond = new int[10];
    for (int ms = 10; ms <= 10_000; ms += 10) {
      clock.advance(Duration.ofMillis(10));
      if (limiter.tryAcquire(key).allowed()) {
        admitted++;
        perSecond[Math.min(9, (ms - 1) / 1000)]++;
      }
    }
    double rate = admitted / 10.0;
    assertTrue(rate >= 4.5 && rate <= 5.5, "steady rate " + rate + "/s, expected 5/s ±10%");
    for (int s = 0; s < 10; s++) {
      assertTrue(perSecond[s] >= 4 && perSecond[s] <= 6, "second " + s + ": " + perSecond[s]);
    }
  }
}
