package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes with several targets in the gateway on an embedded Tomcat, in front of real upstream
 * servers on loopback: weights, stickiness, a target killed and restarted under load, breakers, and
 * the answers when no target is left.
 */
class SeveralTargetsTest {
  @TempDir Path dir;
  private final List<TestUpstream> upstreams = new ArrayList<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private EmbeddedGateway gateway;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstreams.forEach(TestUpstream::close);
  }

  /** An upstream that answers its name, counts what it served, and closes each connection. */
  private TestUpstream upstream(String name, int port) throws IOException {
    TestUpstream u = port == 0 ? TestUpstream.start() : TestUpstream.start(port);
    served.putIfAbsent(name, new AtomicInteger());
    // started again under traffic, an upstream must not swap its "/" handler: for that moment a
    // request would get 404; its new handler serves /api (the restart test's route) instead
    u.handle(
        port == 0 ? "/" : "/api",
        exchange -> {
          served.get(name).incrementAndGet();
          closeAfter(exchange);
          TestUpstream.respond(exchange, 200, name);
        });
    u.handle("/healthz", exchange -> TestUpstream.respond(exchange, 200, "up"));
    upstreams.add(u);
    return u;
  }

  private static void closeAfter(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    // no pooled connection outlives an exchange: a killed upstream shows as refused connections
    exchange.getResponseHeaders().set("Connection", "close");
  }

  private void start(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private PrometheusText metrics() throws Exception {
    return PrometheusText.parse(get("/metrics").body());
  }

  @Test
  void weightsHoldOverFourHundredRequests() throws Exception {
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    start(
        """
        routes:
          - path: /api/*
            targets:
              - url: %s
                weight: 3
              - url: %s
        """
            .formatted(a.url(), b.url()));
    for (int i = 0; i < 400; i++) {
      assertEquals(200, get("/api/x").statusCode());
    }
    assertEquals(300, served.get("a").get(), 6);
    assertEquals(100, served.get("b").get(), 2);
  }

  @Test
  void threeTargetsShareEvenlyAndLeastRequestsToo() throws Exception {
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    TestUpstream c = upstream("c", 0);
    start(
        """
        routes:
          - path: /rr/*
            targets: [{url: %1$s}, {url: %2$s}, {url: %3$s}]
          - path: /least/*
            targets: [{url: %1$s}, {url: %2$s}, {url: %3$s}]
            balance: least_requests
        """
            .formatted(a.url(), b.url(), c.url()));
    for (int i = 0; i < 150; i++) {
      assertEquals(200, get("/rr/x").statusCode());
    }
    for (String n : List.of("a", "b", "c")) {
      assertEquals(50, served.get(n).get(), n);
      served.get(n).set(0);
    }
    for (int i = 0; i < 150; i++) {
      assertEquals(200, get("/least/x").statusCode());
    }
    // one at a time, every target idle: ties are broken in turn
    for (String n : List.of("a", "b", "c")) {
      assertEquals(50, served.get(n).get(), n);
    }
  }

  @Test
  void clientHashKeepsEachClientOnItsTarget() throws Exception {
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    TestUpstream c = upstream("c", 0);
    start(
        """
        server:
          trusted_proxies: [127.0.0.1/32]
        routes:
          - path: /api/*
            targets: [{url: %s}, {url: %s}, {url: %s}]
            balance: client_hash
        """
            .formatted(a.url(), b.url(), c.url()));
    Map<String, Integer> perTarget = new HashMap<>();
    for (int client = 1; client <= 60; client++) {
      String address = "192.0.2." + client;
      String first = get("/api/x", "X-Forwarded-For", address).body();
      for (int again = 0; again < 3; again++) {
        assertEquals(first, get("/api/y", "X-Forwarded-For", address).body(), address);
      }
      perTarget.merge(first, 1, Integer::sum);
    }
    assertEquals(3, perTarget.size(), "clients spread over every target: " + perTarget);
  }

  @Test
  void aTargetKilledUnderLoadFailsNoGetOrPostAndIsBackWithinTwoChecks() throws Exception {
    TestUpstream a = upstream("a", 0);
    int bPort = freePort();
    TestUpstream b = upstream("b", bPort);
    long intervalMillis = 300;
    start(
        """
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /api/*
            targets: [{url: %s}, {url: %s}]
            health_check:
              path: /healthz
              interval: %dms
              timeout: 200ms
              unhealthy_after: 2
              healthy_after: 1
        """
            .formatted(a.url(), b.url(), intervalMillis));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger ok = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(200);
    // Each request holds a read lock; the kill takes the write lock, so b is closed between
    // requests. Closed under a request, a connection the kernel had accepted for b but b had not
    // taken yet would be reset after connecting: not a refusal, and not moved without retry.
    ReentrantReadWriteLock between = new ReentrantReadWriteLock();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<?>> loops = new ArrayList<>();
    // two loops GET, two POST: a POST the dead target refused is moved with its body (kept for
    // that), so no POST fails unless it had reached the target before it died, and none had
    for (int t = 0; t < 4; t++) {
      boolean posts = t % 2 == 1;
      loops.add(
          clients.submit(
              () -> {
                while (running.get()) {
                  between.readLock().lock();
                  try {
                    HttpResponse<String> r = posts ? post("/api/x", "payload") : get("/api/x");
                    if (r.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                      failures.add(r.statusCode() + " " + r.body());
                    }
                  } catch (Exception e) {
                    failed.incrementAndGet();
                    failures.add(e.toString());
                  } finally {
                    between.readLock().unlock();
                  }
                  warm.countDown();
                }
                return null;
              }));
    }
    try {
      assertTrue(warm.await(30, TimeUnit.SECONDS));
      between.writeLock().lock();
      try {
        b.stop(0); // every later connection to b is refused
      } finally {
        between.writeLock().unlock();
      }
      int bServedAtKill = served.get("b").get();
      int okAtKill = ok.get();
      waitFor(() -> healthy("b", b) == 0, "b out after two failed checks");
      waitFor(() -> ok.get() > okAtKill + 200, "requests keep flowing to a");
      assertEquals(bServedAtKill, served.get("b").get(), "nothing served by a dead target");

      TestUpstream again = upstream("b", bPort);
      int bBefore = served.get("b").get();
      long restarted = System.nanoTime();
      waitFor(() -> served.get("b").get() > bBefore, "b gets traffic again");
      long back = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
      assertTrue(back <= 2 * intervalMillis, "b back after " + back + " ms");
      assertEquals(1, healthy("b", again));
    } finally {
      running.set(false);
      for (Future<?> f : loops) {
        f.get(30, TimeUnit.SECONDS);
      }
      clients.shutdown();
    }
    assertEquals(0, failed.get(), "failed GETs and POSTs (of " + ok.get() + "): " + failures);
  }

  private double healthy(String name, TestUpstream u) throws Exception {
    return metrics()
        .value("gateway_upstream_healthy", Map.of("route", "/api/*", "target", u.url()));
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition c, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void noHealthyTargetGives503AndEveryRefusalGives502() throws Exception {
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    a.handle("/healthz", exchange -> TestUpstream.respond(exchange, 503, "down"));
    b.handle("/healthz", exchange -> TestUpstream.respond(exchange, 500, "down"));
    start(
        """
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /api/*
            targets: [{url: %s}, {url: %s}]
            health_check:
              path: /healthz
              interval: 50ms
              unhealthy_after: 1
          - path: /dead/*
            targets: [{url: http://127.0.0.1:%d}, {url: http://127.0.0.1:%d}]
        """
            .formatted(a.url(), b.url(), freePort(), freePort()));
    waitFor(() -> healthy("a", a) == 0 && healthy("b", b) == 0, "both out");
    HttpResponse<String> none = get("/api/x");
    assertEquals(503, none.statusCode());
    assertEquals("{\"error\":\"no healthy upstream\"}", none.body());
    assertEquals(0, served.get("a").get() + served.get("b").get());

    HttpResponse<String> refused = get("/dead/x");
    assertEquals(502, refused.statusCode());
    assertEquals("{\"error\":\"bad gateway\"}", refused.body());
  }

  @Test
  void aConnectFailureMovesAGetAndAKeptBodyButNotABodyOverMaxBody() throws Exception {
    TestUpstream alive = upstream("alive", 0);
    start(
        """
        routes:
          - path: /api/*
            targets: [{url: http://127.0.0.1:%1$d}, {url: %2$s}]
          - path: /small/*
            targets: [{url: http://127.0.0.1:%1$d}, {url: %2$s}]
            retry:
              max_body: 4B
        """
            .formatted(freePort(), alive.url()));
    // round robin starts with the first target, which refuses: moved to the second
    HttpResponse<String> moved = get("/api/x");
    assertEquals(200, moved.statusCode());
    assertEquals("alive", moved.body());
    get("/api/x"); // the second target's turn
    HttpResponse<String> post = post("/api/x", "payload");
    // its body (under the default max_body of 64KiB) was kept: sent again to the second
    assertEquals(200, post.statusCode());
    assertEquals("alive", post.body());
    HttpResponse<String> big = post("/small/x", "payload");
    // not kept: its body had begun on the way to the refusing target, and cannot be sent again
    assertEquals(502, big.statusCode());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFailingTargetsBreakerOpensAndKeepsItOut() throws Exception {
    TestUpstream good = upstream("good", 0);
    TestUpstream bad = upstream("bad", 0);
    served.put("bad", new AtomicInteger());
    bad.handle(
        "/",
        exchange -> {
          served.get("bad").incrementAndGet();
          closeAfter(exchange);
          TestUpstream.respond(exchange, 500, "broken");
        });
    start(
        """
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /api/*
            targets: [{url: %s}, {url: %s}]
            circuit_breaker:
              failure_rate: 50
              window: 4
              open_for: 1h
        """
            .formatted(good.url(), bad.url()));
    for (int i = 0; i < 8; i++) {
      get("/api/x");
    }
    assertEquals(4, served.get("bad").get());
    assertEquals(
        1.0,
        metrics()
            .value(
                "gateway_circuit_breaker_state", Map.of("route", "/api/*", "target", bad.url())));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("/api/x");
      assertEquals(200, r.statusCode());
      assertEquals("good", r.body());
    }
    assertEquals(4, served.get("bad").get(), "an open breaker's target gets no request");
    assertEquals(
        0.0,
        metrics()
            .value(
                "gateway_circuit_breaker_state", Map.of("route", "/api/*", "target", good.url())));
  }

  @Test
  void aReloadThatKeepsATargetKeepsItsHealth() throws Exception {
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    TestUpstream c = upstream("c", 0);
    b.handle("/healthz", exchange -> TestUpstream.respond(exchange, 500, "down"));
    String config =
        """
        server:
          reload:
            interval: 100ms
            debounce: 20ms
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /api/*
            targets: [%s]
            health_check:
              path: /healthz
              interval: 1s
              unhealthy_after: 1
        """;
    String ab = "{url: %s}, {url: %s}".formatted(a.url(), b.url());
    start(config.formatted(ab));
    waitFor(() -> healthy("b", b) == 0, "b out");
    Files.writeString(
        dir.resolve("gateway.yaml"), config.formatted(ab + ", {url: %s}".formatted(c.url())));
    waitFor(() -> get("/api/x").body().equals("c"), "the reloaded route sends to c");
    int bServed = served.get("b").get();
    for (int i = 0; i < 30; i++) {
      assertEquals(200, get("/api/x").statusCode());
    }
    // a fresh health would start healthy and give b a third of these until its first check
    assertEquals(bServed, served.get("b").get(), "b stayed out across the reload");
    assertEquals(0, healthy("b", b));
    assertEquals(1, healthy("c", c));
  }

  @Test
  void stripPrefixAppliesToEachTargetAndToAMovedRequest() throws Exception {
    List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestUpstream a = upstream("a", 0);
    TestUpstream b = upstream("b", 0);
    for (TestUpstream u : List.of(a, b)) {
      u.handle(
          "/",
          exchange -> {
            paths.add(
                exchange.getRequestURI().getRawPath()
                    + "?"
                    + exchange.getRequestURI().getRawQuery());
            TestUpstream.respond(exchange, 200, "ok");
          });
    }
    start(
        """
        routes:
          - path: /api/*
            targets: [{url: "http://127.0.0.1:%d/refused"}, {url: "%s/base"}, {url: %s}]
            strip_prefix: /api
        """
            .formatted(freePort(), a.url(), b.url()));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, get("/api/x/%41?q=1").statusCode());
    }
    // the first request was refused by the first target and moved to the second
    assertEquals(List.of("/base/x/%41?q=1", "/x/%41?q=1"), paths);
  }

  @Test
  void theHealthCheckThreadEndsWithTheGateway() throws Exception {
    TestUpstream a = upstream("a", 0);
    start(
        """
        routes:
          - path: /api/*
            target: %s
            health_check:
              path: /healthz
              interval: 50ms
        """
            .formatted(a.url()));
    assertEquals(200, get("/api/x").statusCode());
    assertTrue(threadNamed("gateway-health-checks"));
    gateway.close();
    gateway = null;
    assertFalse(threadNamed("gateway-health-checks"), "left running after the webapp stopped");
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }
}
