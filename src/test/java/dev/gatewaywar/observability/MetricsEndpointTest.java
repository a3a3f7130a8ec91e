package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.PrometheusText.Sample;
import dev.gatewaywar.testing.RejectingMiddleware;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code metrics} middleware and the Prometheus endpoint on an embedded Tomcat running the
 * production web.xml, with a real upstream on loopback; the exposition text is parsed line by line.
 */
class MetricsEndpointTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private TestUpstream upstream;
  private final List<EmbeddedGateway> gateways = new ArrayList<>();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (EmbeddedGateway g : gateways) {
      g.close();
    }
    upstream.close();
  }

  private EmbeddedGateway gateway(String yaml) throws Exception {
    Path config = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(config, yaml.replace("UPSTREAM", upstream.url()));
    EmbeddedGateway g =
        EmbeddedGateway.start(WebappDir.withMiddleware(RejectingMiddleware.class), config, 0);
    gateways.add(g);
    return g;
  }

  private static HttpResponse<String> get(EmbeddedGateway g, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        BodyHandlers.ofString());
  }

  /**
   * The metrics once no request is in flight: the client has its response a moment before the
   * filter records it, so a scrape right after a request waits (bounded) for that.
   */
  private static PrometheusText scrape(EmbeddedGateway g) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = get(g, "/metrics");
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(
          r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          r.headers().toString());
      PrometheusText m = PrometheusText.parse(r.body());
      if (m.value("gateway_requests_in_flight", Map.of()) == 0 || System.nanoTime() > deadline) {
        return m;
      }
      Thread.sleep(20);
    }
  }

  private static final String USERS =
      """
      metrics:
        prometheus:
          enabled: true
      routes:
        - path: /users/:id
          target: UPSTREAM
          middleware: [metrics]
        - path: /*
          target: UPSTREAM
      """;

  @Test
  void requestsAreCountedByRoutePatternNeverByRawPath() throws Exception {
    EmbeddedGateway g = gateway(USERS);
    assertEquals(200, get(g, "/users/42").statusCode());
    assertEquals(200, get(g, "/users/43?x=1").statusCode());

    PrometheusText m = scrape(g);

    assertEquals("counter", m.type("gateway_requests_total").orElseThrow());
    assertEquals("histogram", m.type("gateway_request_duration_seconds").orElseThrow());
    assertEquals("gauge", m.type("gateway_requests_in_flight").orElseThrow());
    assertEquals(
        2,
        m.value(
            "gateway_requests_total",
            Map.of("method", "GET", "path", "/users/:id", "status", "200")));
    assertEquals(
        2,
        m.value(
            "gateway_request_duration_seconds_count",
            Map.of("method", "GET", "path", "/users/:id")));
    assertEquals(0, m.value("gateway_requests_in_flight", Map.of()));
    assertTrue(
        m.samples("gateway_request_duration_seconds_count", Map.of("method", "POST")).isEmpty(),
        "no series for methods never seen");
    for (Sample s : m.samples()) {
      assertFalse(
          s.labels().values().stream().anyMatch(v -> v.contains("/users/4")),
          "a raw path became a label value: " + s);
    }
  }

  @Test
  void countersIncreaseBetweenScrapes() throws Exception {
    EmbeddedGateway g = gateway(USERS);
    Map<String, String> ok = Map.of("method", "GET", "path", "/users/:id", "status", "200");
    get(g, "/users/1");
    double before = scrape(g).value("gateway_requests_total", ok);

    get(g, "/users/2");
    get(g, "/users/3");
    PrometheusText after = scrape(g);

    assertEquals(before + 2, after.value("gateway_requests_total", ok));
    double sum =
        after.value(
            "gateway_request_duration_seconds_sum", Map.of("method", "GET", "path", "/users/:id"));
    assertTrue(sum > 0, "durations were recorded: " + sum);
  }

  @Test
  void durationBucketsRunFromSubMillisecondToTensOfSeconds() throws Exception {
    EmbeddedGateway g = gateway(USERS);
    get(g, "/users/1");

    List<Double> bounds =
        scrape(g)
            .samples(
                "gateway_request_duration_seconds_bucket",
                Map.of("method", "GET", "path", "/users/:id"))
            .stream()
            .map(s -> Double.parseDouble(s.labels().get("le").replace("+Inf", "Infinity")))
            .toList();

    assertTrue(bounds.get(0) < 0.001, "first bucket below 1 ms: " + bounds);
    assertTrue(bounds.contains(30.0), "a bucket at tens of seconds: " + bounds);
    assertEquals(Double.POSITIVE_INFINITY, bounds.get(bounds.size() - 1));
  }

  @Test
  void routesWithoutTheMiddlewareAreNotCounted() throws Exception {
    EmbeddedGateway g = gateway(USERS);
    get(g, "/elsewhere");

    assertTrue(
        scrape(g).samples("gateway_requests_total", Map.of("path", "/*")).isEmpty(),
        "the catch-all route does not list metrics");
  }

  @Test
  void theMetricsPlaceInTheListDecidesWhetherRejectionsAreCounted() throws Exception {
    EmbeddedGateway g =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
            routes:
              - path: /before
                target: UPSTREAM
                middleware: [metrics, reject]
              - path: /after
                target: UPSTREAM
                middleware: [reject, metrics]
            """);
    assertEquals(401, get(g, "/before").statusCode());
    assertEquals(401, get(g, "/after").statusCode());

    PrometheusText m = scrape(g);

    assertEquals(
        1,
        m.value(
            "gateway_requests_total", Map.of("method", "GET", "path", "/before", "status", "401")));
    assertTrue(m.samples("gateway_requests_total", Map.of("path", "/after")).isEmpty());
  }

  @Test
  void metricsEndpointIsAnsweredBeforeAnyRouteAndItsMiddleware() throws Exception {
    EmbeddedGateway g =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
                path: /internal/prom
            routes:
              - path: /*
                target: UPSTREAM
                middleware: [reject, metrics]
            """);

    HttpResponse<String> r = get(g, "/internal/prom");

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("gauge", PrometheusText.parse(r.body()).type("gateway_requests_in_flight").get());
    assertTrue(upstream.noRequestWithin(200), "the catch-all route never saw the scrape");
    assertEquals(401, get(g, "/metrics").statusCode(), "the default path is a route again");
  }

  @Test
  void disabledEndpointIsLeftToTheRoutes() throws Exception {
    EmbeddedGateway g = gateway("routes:\n  - path: /*\n    target: UPSTREAM\n");

    assertEquals(200, get(g, "/metrics").statusCode());
    assertEquals("/metrics", upstream.nextRequest().rawUri());
  }

  @Test
  void upstreamLatencyAndFailuresAreRecordedPerUpstream() throws Exception {
    int closed = FreePortForArquillian.freePort();
    EmbeddedGateway g =
        gateway(
            USERS
                + "  - path: /down\n    target: http://127.0.0.1:"
                + closed
                + "\n    middleware: [metrics]\n");
    get(g, "/users/1");
    assertEquals(502, get(g, "/down").statusCode());

    PrometheusText m = scrape(g);

    String target = "http://127.0.0.1:" + upstream.port();
    assertEquals("histogram", m.type("gateway_upstream_duration_seconds").orElseThrow());
    assertEquals(1, m.value("gateway_upstream_duration_seconds_count", Map.of("upstream", target)));
    assertEquals(
        1,
        m.value(
            "gateway_upstream_failures_total",
            Map.of("upstream", "http://127.0.0.1:" + closed, "cause", "unreachable")));
    assertEquals(
        1,
        m.value(
            "gateway_requests_total", Map.of("method", "GET", "path", "/down", "status", "502")));
  }

  @Test
  void jvmMetricsAndConfigReloadsAreExportedFromTheStart() throws Exception {
    PrometheusText m = scrape(gateway(USERS));

    assertEquals("gauge", m.type("jvm_memory_used_bytes").orElseThrow());
    assertTrue(m.type("jvm_threads_current").isPresent());
    assertEquals("counter", m.type("gateway_config_reload_total").orElseThrow());
    assertEquals(0, m.value("gateway_config_reload_total", Map.of("result", "failure")));
  }

  @Test
  void twoGatewaysInOneJvmKeepSeparateCounts() throws Exception {
    EmbeddedGateway first = gateway(USERS);
    EmbeddedGateway second = gateway(USERS);
    Map<String, String> ok = Map.of("method", "GET", "path", "/users/:id", "status", "200");
    get(first, "/users/1");
    get(first, "/users/2");
    get(second, "/users/1");

    assertEquals(2, scrape(first).value("gateway_requests_total", ok));
    assertEquals(1, scrape(second).value("gateway_requests_total", ok));
  }

  @Test
  void allowListRefusesOtherAddressesWithJson403() throws Exception {
    EmbeddedGateway refused =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
              allow: [10.0.0.0/8, "::1/128"]
            routes: []
            """);
    EmbeddedGateway allowed =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
              allow: [192.168.0.0/16, 127.0.0.1/32]
            routes: []
            """);

    HttpResponse<String> r = get(refused, "/metrics");
    assertEquals(403, r.statusCode());
    assertEquals("{\"error\":\"forbidden\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(200, get(allowed, "/metrics").statusCode());
  }

  @Test
  void forwardedForHeaderCannotOpenTheAllowList() throws Exception {
    EmbeddedGateway g =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
              allow: [10.0.0.0/8]
            routes: []
            """);

    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/metrics"))
                .header("X-Forwarded-For", "10.1.2.3")
                .build(),
            BodyHandlers.ofString());

    assertEquals(403, r.statusCode());
  }

  @Test
  void authFailuresAndRateLimitRejectionsAreCountedPerRoute() throws Exception {
    EmbeddedGateway g =
        gateway(
            """
            metrics:
              prometheus:
                enabled: true
            auth:
              enabled: true
              secret: a-test-secret-of-at-least-32-bytes
            rate_limit:
              enabled: true
              requests_per_second: 0.01
              burst: 1
            routes:
              - path: /private
                target: UPSTREAM
                middleware: [auth]
              - path: /limited
                target: UPSTREAM
                middleware: [ratelimit]
            """);
    assertEquals(401, get(g, "/private").statusCode());
    assertEquals(401, get(g, "/private").statusCode());
    assertEquals(200, get(g, "/limited").statusCode());
    assertEquals(429, get(g, "/limited").statusCode());

    PrometheusText m = scrape(g);

    assertEquals(
        2,
        m.value(
            "gateway_auth_failures_total", Map.of("path", "/private", "reason", "missing_token")));
    assertEquals(1, m.value("gateway_ratelimit_rejections_total", Map.of("path", "/limited")));
  }
}
