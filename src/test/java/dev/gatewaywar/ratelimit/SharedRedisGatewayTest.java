package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RedisServer;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (two embedded Tomcats, each with its own webapp and Redis connection) sharing one
 * real Redis, as two instances behind a load balancer would. Time here is the real clock: the
 * gateways run as deployed, so the expected counts are computed from the measured elapsed time.
 */
class SharedRedisGatewayTest {
  @TempDir Path dir;
  private TestUpstream upstream;
  private RedisServer redis;
  private final List<EmbeddedGateway> gateways = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (EmbeddedGateway g : gateways) {
      g.close();
    }
    redis.close();
    upstream.close();
  }

  private EmbeddedGateway gateway(String rateLimit) throws Exception {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(
        file,
        """
        routes:
          - path: /api/*
            target: %1$s
            middleware: [ratelimit]
          - path: /warm-up
            target: %1$s
            middleware: [ratelimit]
            rate_limit:
              burst: 1000
        metrics:
          prometheus:
            enabled: true
        rate_limit:
          enabled: true
          backend: redis
          redis:
            url: %2$s
            timeout: 500ms
        %3$s
        """
            .formatted(upstream.url(), redis.url(), rateLimit.indent(2)));
    EmbeddedGateway g = EmbeddedGateway.start(WebappDir.create(), file, 0);
    gateways.add(g);
    return g;
  }

  private static int status(EmbeddedGateway g) throws Exception {
    return status(g, "/api/x");
  }

  private static int status(EmbeddedGateway g, String path) throws Exception {
    return RawHttp.send(g.port(), "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n")
        .status();
  }

  /**
   * The first requests through a new gateway are slow (class loading, JIT, the upstream pool):
   * through another route, so they cost the measured bucket nothing.
   */
  private static void warmUp(EmbeddedGateway g) throws Exception {
    for (int i = 0; i < 50; i++) {
      assertEquals(200, status(g, "/warm-up"));
    }
  }

  /**
   * One bucket for both gateways: together they admit one burst. The refill is far too slow to add
   * a token during the test (0.001/s), so the count is exact whatever the machine's pace; how
   * buckets refill over time is RedisBucketsTest's, on an injected clock.
   */
  @Test
  void twoGatewaysTogetherAdmitOneBurst() throws Exception {
    EmbeddedGateway one = gateway("requests_per_second: 0.001\nburst: 10\n");
    EmbeddedGateway two = gateway("requests_per_second: 0.001\nburst: 10\n");
    warmUp(one);
    warmUp(two);

    int admitted = 0;
    for (int sent = 0; sent < 30; sent++) {
      int s = status(sent % 2 == 0 ? one : two);
      assertTrue(s == 200 || s == 429, "status " + s);
      admitted += s == 200 ? 1 : 0;
    }

    assertEquals(10, admitted, "one shared bucket admits 10 of 30; one each would admit 20");
  }

  @Test
  void redisStoppedMidTestAllowsWithoutHangingThenLimitingResumes() throws Exception {
    EmbeddedGateway g = gateway("requests_per_second: 0.01\nburst: 3\non_backend_error: allow\n");
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(g));
    }
    assertEquals(429, status(g));

    redis.stop();
    for (int i = 0; i < 10; i++) {
      long t = System.nanoTime();
      assertEquals(200, status(g), "allowed while Redis is down");
      assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(3), "a request hung");
    }
    PrometheusText metrics =
        PrometheusText.parse(
            RawHttp.send(g.port(), "GET /metrics HTTP/1.1\nHost: gw\nConnection: close\n\n")
                .body());
    assertTrue(
        metrics.value("gateway_ratelimit_backend_errors_total", Map.of("backend", "redis")) >= 10,
        "each request Redis failed is counted");

    redis.restart(); // empty: the bucket starts full again
    assertTrue(limitedAgainWithin(g, 15), "no 429 within 15 s of Redis coming back");
  }

  @Test
  void redisStoppedWithDenyPolicyAnswers503Quickly() throws Exception {
    EmbeddedGateway g = gateway("requests_per_second: 0.01\nburst: 3\non_backend_error: deny\n");
    assertEquals(200, status(g));

    redis.stop();
    for (int i = 0; i < 5; i++) {
      long t = System.nanoTime();
      RawHttp.Response r =
          RawHttp.send(g.port(), "GET /api/x HTTP/1.1\nHost: gw\nConnection: close\n\n");
      assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(3), "a request hung");
      assertEquals(503, r.status());
      assertEquals("{\"error\":\"service unavailable\"}", r.body());
      assertEquals("1", r.header("Retry-After"));
    }
    redis.restart();
    assertTrue(limitedAgainWithin(g, 15), "no 429 within 15 s of Redis coming back");
  }

  /** Sends requests until one is limited (429), for at most {@code seconds}. */
  private static boolean limitedAgainWithin(EmbeddedGateway g, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (status(g) == 429) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
