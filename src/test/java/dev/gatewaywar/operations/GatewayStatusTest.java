package dev.gatewaywar.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.operations.TargetStatus.CircuitState;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status view of a gateway on an embedded Tomcat in front of real loopback upstreams: counts
 * read from the metrics as requests pass, the configuration after a reload and a refused reload,
 * target health as an upstream dies, and nothing left once the webapp stopped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayStatusTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path dir;
  private Path file;
  private TestUpstream a;
  private TestUpstream b;
  private EmbeddedGateway gateway;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void upstreams() throws Exception {
    a = TestUpstream.start();
    a.handle("/api/fail", e -> TestUpstream.respond(e, 503, "down for a moment"));
    a.handle(
        "/api/slow",
        e -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(e, 200, "slow");
        });
    a.handle("/", e -> TestUpstream.respond(e, 200, "A"));
    b = TestUpstream.start();
    b.handle("/", e -> TestUpstream.respond(e, 200, "B"));
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    if (gateway != null) {
      gateway.close();
    }
    a.close();
    b.close();
  }

  private GatewayStatus start(String yaml) throws Exception {
    file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
    return GatewayStatus.from(gateway.servletContext()).orElseThrow();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static RouteStatus route(GatewayStatus status, String pattern) {
    return status.routes().stream()
        .filter(r -> r.pattern().equals(pattern))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route " + pattern + " in " + status.routes()));
  }

  private static RouteStatus.Counts counts(GatewayStatus status, String pattern) {
    return route(status, pattern).counts().orElseThrow();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private String twoRoutes() {
    return """
        server:
          reload:
            enabled: false
        routes:
          - path: /api/*
            methods: [GET]
            target: %s
            middleware: [metrics]
          - path: /plain
            target: %s
        """
        .formatted(a.url(), b.url());
  }

  @Test
  void describesTheConfigurationInUse() throws Exception {
    GatewayStatus status = start(twoRoutes());
    ConfigStatus config = status.config();
    assertEquals(file.toString(), config.file());
    assertEquals(sha256(file), config.digest());
    assertEquals(2, config.routeCount());
    assertTrue(config.lastReload().isEmpty(), "no reload yet: " + config.lastReload());
    assertTrue(
        Duration.between(config.loadedAt(), java.time.Instant.now()).abs().toSeconds() < 60,
        "loaded just now: " + config.loadedAt());
    RouteStatus api = route(status, "/api/*");
    assertEquals(List.of("GET"), api.methods());
    assertEquals("GET", api.methodList());
    assertEquals(List.of("metrics"), api.middleware());
    assertEquals(1, api.targets().size());
    assertEquals(a.url(), api.targets().get(0).url());
    RouteStatus plain = route(status, "/plain");
    assertEquals("*", plain.methodList());
    assertEquals(List.of(), plain.middleware());
  }

  @Test
  void countsRiseAsRequestsPassAndComeFromTheMetrics() throws Exception {
    GatewayStatus status = start(twoRoutes());
    assertEquals(new RouteStatus.Counts(0, 0, 0), counts(status, "/api/*"));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api/x").statusCode());
    }
    assertEquals(503, get("/api/fail").statusCode());
    assertEquals(200, get("/plain").statusCode());
    // counted at the response's end, which the client may see first
    await(() -> counts(status, "/api/*").requests() == 4, "4 requests");
    assertEquals(new RouteStatus.Counts(4, 1, 0), counts(status, "/api/*"));

    CompletableFuture<HttpResponse<String>> slow =
        HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/slow"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await(() -> counts(status, "/api/*").inFlight() == 1, "1 in flight");
    release.countDown();
    assertEquals(200, slow.get(30, TimeUnit.SECONDS).statusCode());
    await(() -> counts(status, "/api/*").inFlight() == 0, "0 in flight");
    assertEquals(new RouteStatus.Counts(5, 1, 0), counts(status, "/api/*"));

    RouteStatus plain = route(status, "/plain");
    assertTrue(plain.counts().isEmpty(), "no metrics middleware, no counts: " + plain);
  }

  @Test
  void routesSharingAPatternAreCountedByTheirMethods() throws Exception {
    GatewayStatus status =
        start(
            """
            routes:
              - path: /api/*
                methods: [GET]
                target: %1$s
                middleware: [metrics]
              - path: /api/*
                methods: [POST, DELETE]
                target: %1$s
                middleware: [metrics]
            """
                .formatted(a.url()));
    get("/api/x");
    get("/api/x");
    HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/fail"))
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    await(
        () -> status.routes().stream().mapToLong(r -> r.counts().get().requests()).sum() == 3,
        "3 requests");
    List<RouteStatus> routes = status.routes();
    assertEquals(new RouteStatus.Counts(2, 0, 0), routes.get(0).counts().orElseThrow());
    assertEquals(new RouteStatus.Counts(1, 1, 0), routes.get(1).counts().orElseThrow());
  }

  @Test
  void aReloadIsSeenAndCountsOutliveIt() throws Exception {
    GatewayStatus status = start(twoRoutes());
    assertEquals(200, get("/api/x").statusCode());
    await(() -> counts(status, "/api/*").requests() == 1, "1 request");
    String before = status.config().digest();
    Files.writeString(
        file,
        twoRoutes()
            + """
              - path: /new
                target: %s
            """
                .formatted(b.url()));

    ReloadResult result = status.reload();

    assertTrue(result.ok(), "reloaded: " + result);
    ConfigStatus config = status.config();
    assertEquals(3, config.routeCount());
    assertEquals(3, status.routes().size());
    assertEquals("/new", status.routes().get(2).pattern());
    assertNotEquals(before, config.digest());
    assertEquals(sha256(file), config.digest());
    assertEquals(result, config.lastReload().orElseThrow());
    assertEquals(result.at(), config.loadedAt());
    assertEquals(1, counts(status, "/api/*").requests());
  }

  @Test
  void aRefusedReloadShowsItsErrorAndKeepsTheRoutes() throws Exception {
    GatewayStatus status = start(twoRoutes());
    String before = status.config().digest();
    Files.writeString(
        file,
        """
        routes:
          - path: /api/*
            target: %s
            middleware: [no_such_middleware]
        """
            .formatted(a.url()));

    ReloadResult result = status.reload();

    assertFalse(result.ok());
    String error = result.error().orElseThrow();
    assertTrue(error.contains("line 4"), error);
    assertTrue(error.contains("no_such_middleware"), error);
    ConfigStatus config = status.config();
    assertEquals(before, config.digest(), "the configuration in use stays");
    assertEquals(2, config.routeCount());
    assertEquals(error, config.lastReloadError().orElseThrow());
    assertEquals(200, get("/plain").statusCode());
  }

  @Test
  void aChangedFileIsSeenThroughTheWatcherToo() throws Exception {
    GatewayStatus status =
        start(
            twoRoutes()
                .replace(
                    "enabled: false",
                    """
                    interval: 100ms
                        debounce: 10ms"""));
    Files.writeString(file, Files.readString(file).replace("/plain", "/renamed"));
    await(
        () -> status.routes().stream().anyMatch(r -> r.pattern().equals("/renamed")),
        "the watcher's reload in the status");
    assertTrue(status.config().lastReload().orElseThrow().ok());
  }

  @Test
  void targetHealthFollowsTheChecks() throws Exception {
    GatewayStatus status =
        start(
            """
            routes:
              - path: /pool/*
                targets: [{url: %s}, {url: %s}]
                health_check:
                  path: /
                  interval: 500ms
                  timeout: 500ms
                  unhealthy_after: 2
                  healthy_after: 1
                circuit_breaker:
                  failure_rate: 50
                  window: 4
            """
                .formatted(a.url(), b.url()));
    List<TargetStatus> targets = route(status, "/pool/*").targets();
    assertEquals(List.of(a.url(), b.url()), targets.stream().map(TargetStatus::url).toList());
    assertTrue(targets.stream().allMatch(TargetStatus::healthChecked));
    assertTrue(targets.stream().allMatch(t -> t.circuit() == CircuitState.CLOSED));
    assertEquals(OptionalInt.of(0), targets.get(1).inFlight());

    b.stop(0);

    await(() -> !route(status, "/pool/*").targets().get(1).healthy(), "b out");
    TargetStatus down = route(status, "/pool/*").targets().get(1);
    assertFalse(down.available());
    assertTrue(route(status, "/pool/*").targets().get(0).healthy());
  }

  @Test
  void theBundledConfigurationIsDescribedButNotReloaded() throws Exception {
    Path webapp = WebappDir.create();
    Path bundled = webapp.resolve("WEB-INF/gateway.yaml");
    Files.writeString(bundled, twoRoutes());
    gateway = EmbeddedGateway.start(webapp, null, 0);
    GatewayStatus status = GatewayStatus.from(gateway.servletContext()).orElseThrow();
    assertEquals("WAR:/WEB-INF/gateway.yaml", status.config().file());
    assertEquals(sha256(bundled), status.config().digest());
    assertEquals(2, status.routes().size());
    ReloadResult r = status.reload();
    assertTrue(r.error().orElseThrow().contains("bundled"), r.toString());
  }

  @Test
  void nothingIsLeftOnceTheWebappStopped() throws Exception {
    GatewayStatus status = start(twoRoutes());
    var context = gateway.servletContext();
    gateway.close();
    gateway = null;
    assertTrue(GatewayStatus.from(context).isEmpty());
    assertEquals(List.of(), status.routes());
    assertFalse(status.reload().ok());
  }
}
