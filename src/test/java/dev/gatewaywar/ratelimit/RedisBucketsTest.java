package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.ratelimit.internal.RedisConnection;
import dev.gatewaywar.testing.LogCapture;
import dev.gatewaywar.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Buckets in a real Redis (a redis-server process the test starts), with the gateway's clock moved
 * by the test. Each "instance" is its own Lettuce connection, as two gateways would have.
 */
class RedisBucketsTest {
  /** Generous for a short timeout: CI machines are shared, and a missed deadline is a failure. */
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  /** "Does not hang": the timeout, twice (GET and EVAL), plus slack for a loaded machine. */
  private static final long NO_HANG_NANOS = TIMEOUT.toNanos() * 2 + 1_000_000_000L;

  private final FakeNanoClock clock = new FakeNanoClock(1_800_000_000_000_000_000L);
  private RedisServer redis;
  private RedisConnection first;
  private RedisConnection second;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopRedis() throws Exception {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
    redis.close();
  }

  private RateLimitConfig config(double rps, int burst) {
    return new RateLimitConfig(
        true,
        rps,
        burst,
        RateLimitConfig.Key.ADDRESS,
        RateLimitConfig.Backend.REDIS,
        new RateLimitConfig.RedisConfig(URI.create(redis.url()), TIMEOUT),
        RateLimitConfig.OnBackendError.ALLOW,
        RateLimitConfig.DEFAULT_MAX_KEYS,
        RateLimitConfig.DEFAULT_IDLE_TIMEOUT);
  }

  /** A connection as a gateway makes it, waited for (bounded) until it is open. */
  private RedisConnection connect(RateLimitConfig config) throws InterruptedException {
    RedisConnection c = new RedisConnection(config.redis(), System::nanoTime);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.commands().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no connection to Redis within 10 s");
      Thread.sleep(20);
    }
    return c;
  }

  private KeyedRateLimiter limiter(RateLimitConfig config, RedisConnection c) {
    return KeyedRateLimiter.redis(config, "test", c, clock.asWallClock());
  }

  @Test
  void burstThenSteadyRateWithinTenPercentOverTenSeconds() throws Exception {
    RateLimitConfig config = config(5, 4);
    first = connect(config);
    TokenBucketBehaviour.burstThenSteadyRate(limiter(config, first), clock, "a:203.0.113.9");
  }

  @Test
  void twoInstancesDrawFromOneBucket() throws Exception {
    RateLimitConfig config = config(5, 4);
    first = connect(config);
    second = connect(config);
    KeyedRateLimiter a = limiter(config, first);
    KeyedRateLimiter b = limiter(config, second);

    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      admitted += a.tryAcquire("a:1").allowed() ? 1 : 0;
      admitted += b.tryAcquire("a:1").allowed() ? 1 : 0;
    }
    assertEquals(4, admitted, "one burst between them, not one each");

    // then 5/s between them over 10 s, not 10/s
    admitted = 0;
    for (int ms = 10; ms <= 10_000; ms += 10) {
      clock.advance(Duration.ofMillis(10));
      KeyedRateLimiter instance = (ms / 10) % 2 == 0 ? a : b;
      admitted += instance.tryAcquire("a:1").allowed() ? 1 : 0;
    }
    assertTrue(admitted >= 45 && admitted <= 55, "admitted " + admitted + " in 10 s at 5/s");
    assertTrue(a.tryAcquire("a:other").allowed(), "other keys have their own bucket");
  }

  @Test
  void redisStoppedFailsFastIsLoggedOnceAndCountedThenRecovers() throws Exception {
    try (LogCapture logged = LogCapture.of(BackendHealth.class)) {
      stoppedRedis(logged);
    }
  }

  private void stoppedRedis(LogCapture logged) throws Exception {
    RateLimitConfig config = config(5, 2);
    first = connect(config);
    KeyedRateLimiter limiter = limiter(config, first);
    BackendHealth health = limiter.backendHealth().orElseThrow();
    assertTrue(limiter.tryAcquire("k").allowed());
    assertTrue(limiter.tryAcquire("k").allowed());
    assertFalse(limiter.tryAcquire("k").allowed());
    assertEquals(0, health.errorCount());

    redis.stop();
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      RateLimitDecision d = limiter.tryAcquire("k");
      long took = System.nanoTime() - start;
      assertEquals(RateLimitDecision.Outcome.BACKEND_UNAVAILABLE, d.outcome());
      assertTrue(took < NO_HANG_NANOS, "a request waited " + took / 1_000_000 + " ms");
    }
    assertTrue(health.isDown());
    assertTrue(health.errorCount() >= 20, "errors counted: " + health.errorCount());
    assertEquals(
        1,
        logged.records().stream().filter(r -> r.getLevel() == Level.WARNING).count(),
        "20 failed requests, one outage, one line");

    redis.restart(); // empty: buckets start full again
    RateLimitDecision d = untilBackendAnswers(limiter, "k");
    assertTrue(d.allowed());
    assertFalse(health.isDown());
    assertTrue(limiter.tryAcquire("k").allowed());
    assertFalse(limiter.tryAcquire("k").allowed(), "limiting resumed");
    assertEquals(2, logged.records().size(), "and one line when Redis answers again");
  }

  @Test
  void hungRedisTimesOutInsteadOfHoldingTheRequest() throws Exception {
    RateLimitConfig config = config(5, 2);
    first = connect(config);
    KeyedRateLimiter limiter = limiter(config, first);
    assertTrue(limiter.tryAcquire("k").allowed());
    long pid = redisPid();
    signal("STOP", pid);
    try {
      long start = System.nanoTime();
      RateLimitDecision d = limiter.tryAcquire("k");
      long took = System.nanoTime() - start;
      assertEquals(RateLimitDecision.Outcome.BACKEND_UNAVAILABLE, d.outcome());
      assertTrue(
          took < NO_HANG_NANOS,
          "waited " + took / 1_000_000 + " ms with a " + TIMEOUT.toMillis() + " ms timeout");
    } finally {
      signal("CONT", pid);
    }
    assertTrue(untilBackendAnswers(limiter, "k").allowed());
  }

  @Test
  void redisDownAtStartUpIsAnOutageNotAFailureToStart() throws Exception {
    RateLimitConfig config = config(5, 2);
    redis.stop();
    first = new RedisConnection(config.redis(), System::nanoTime);
    KeyedRateLimiter limiter = limiter(config, first);
    assertEquals(RateLimitDecision.Outcome.BACKEND_UNAVAILABLE, limiter.tryAcquire("k").outcome());
    redis.restart();
    assertTrue(untilBackendAnswers(limiter, "k").allowed());
  }

  /** Asks until Redis answers again (Lettuce reconnects with a backoff of at most 2 s). */
  private static RateLimitDecision untilBackendAnswers(KeyedRateLimiter limiter, String key)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      RateLimitDecision d = limiter.tryAcquire(key);
      if (d.outcome() != RateLimitDecision.Outcome.BACKEND_UNAVAILABLE) {
        return d;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("Redis did not answer again within 15 s");
  }

  private long redisPid() throws Exception {
    return redis.pid();
  }

  private static void signal(String signal, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertTrue(p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + signal);
  }
}
