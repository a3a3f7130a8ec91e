package dev.gatewaywar.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.ConfigMapDir;
import dev.gatewaywar.testing.ProbeMiddleware;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload on a real embedded Tomcat with real loopback upstreams: the config file is changed on
 * disk in each of the usual ways, and the gateway's answers show when the change took effect.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HotReloadTest {
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(10);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** Held strongly: java.util.logging keeps loggers only weakly. */
  private static final Logger RELOAD_LOG = Logger.getLogger("dev.gatewaywar.ConfigReloader");

  @TempDir Path dir;
  private TestUpstream a;
  private TestUpstream b;
  private EmbeddedGateway gateway;
  private final BlockingQueue<String> logged = new LinkedBlockingQueue<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r.getLevel() + " " + r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() throws Exception {
    a = TestUpstream.start();
    a.handle("/", e -> TestUpstream.respond(e, 200, "A"));
    b = TestUpstream.start();
    b.handle("/", e -> TestUpstream.respond(e, 200, "B"));
    RELOAD_LOG.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    RELOAD_LOG.removeHandler(capture);
    if (gateway != null) {
      gateway.close();
    }
    a.close();
    b.close();
  }

  /**
   * Routes {@code /api/*} and {@code /only-<name>} to {@code upstream}; metrics on, reload fast.
   */
  private static String config(String name, TestUpstream upstream) {
    return """
        server:
          reload:
            interval: 200ms
            debounce: 20ms
          drain_timeout: 30s
        metrics:
          prometheus:
            enabled: true
        rate_limit:
          enabled: true
          requests_per_second: 1000000
          burst: 1000000
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [probe, tracing, ratelimit, metrics]
          - path: /only-NAME
            target: UPSTREAM
        """
        .replace("UPSTREAM", upstream.url())
        .replace("NAME", name);
  }

  private EmbeddedGateway start(Path configFile) throws Exception {
    gateway = EmbeddedGateway.start(WebappDir.withMiddleware(ProbeMiddleware.class), configFile, 0);
    return gateway;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    awaitWithin(VISIBLE_WITHIN, what, condition);
  }

  private static void awaitWithin(Duration bound, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + bound);
      }
      Thread.sleep(20);
    }
  }

  private boolean serves(String path, int status) {
    try {
      return get(path).statusCode() == status;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private double reloads(String result) {
    try {
      HttpResponse<String> r = get("/metrics");
      assertEquals(200, r.statusCode());
      return PrometheusText.parse(r.body())
          .value("gateway_config_reload_total", Map.of("result", result));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private double metric(String name) throws Exception {
    return PrometheusText.parse(get("/metrics").body()).value(name, Map.of());
  }

  private static void replaceAtomically(Path file, String content) throws Exception {
    Path temp = Files.writeString(file.resolveSibling("." + file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void anEditInPlaceIsServedWithoutARestart() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);
    assertEquals("A", get("/api/x").body());
    assertEquals(404, get("/only-b").statusCode());

    Files.writeString(file, config("b", b));

    await("/only-b served", () -> serves("/only-b", 200));
    assertEquals("B", get("/api/x").body());
    assertEquals(404, get("/only-a").statusCode());
    assertEquals(1, reloads("success"));
    assertEquals(1, metric("gateway_config_last_reload_success"));
  }

  @Test
  void anAtomicRenameOverTheFileIsServed() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);

    replaceAtomically(file, config("b", b));

    await("/only-b served", () -> serves("/only-b", 200));
    assertEquals("B", get("/api/x").body());
  }

  @Test
  void aKubernetesConfigMapUpdateIsServed() throws Exception {
    Path mount = Files.createDirectory(dir.resolve("config"));
    Path file = ConfigMapDir.create(mount, config("a", a));
    start(file);
    assertEquals("A", get("/api/x").body());

    ConfigMapDir.update(mount, config("b", b));

    await("/only-b served", () -> serves("/only-b", 200));
    assertEquals("B", get("/api/x").body());

    ConfigMapDir.update(mount, config("a", a));
    await("/only-a served again", () -> serves("/only-a", 200));
    assertEquals("A", get("/api/x").body());
  }

  @Test
  void anInvalidConfigIsRejectedTheOldOneServesAndTheLogNamesKeyAndLine() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);
    double lastSuccess = metric("gateway_config_last_reload_success_timestamp_seconds");
    assertTrue(lastSuccess > 0, "set at start");
    logged.clear();

    // line 16 of the file: a misspelt key in the first route
    Files.writeString(file, config("b", b).replace("    middleware:", "    midleware:"));

    await("failure counted", () -> reloads("failure") == 1);
    assertEquals(0, metric("gateway_config_last_reload_success"));
    assertEquals(lastSuccess, metric("gateway_config_last_reload_success_timestamp_seconds"));
    assertEquals(0, reloads("success"));
    String line = logged.poll(5, TimeUnit.SECONDS);
    assertTrue(
        line != null
            && line.startsWith("SEVERE configuration reload rejected")
            && line.contains(
                "line 16: routes[0].midleware: unknown key (did you mean 'middleware'?)"),
        String.valueOf(line));
    assertEquals("A", get("/api/x").body());
    assertEquals(404, get("/only-b").statusCode());

    // fixed: the next write is applied
    Files.writeString(file, config("b", b));
    await("/only-b served", () -> serves("/only-b", 200));
    assertEquals(1, metric("gateway_config_last_reload_success"));
  }

  @Test
  void anUnknownMiddlewareOrBrokenYamlIsRejectedToo() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);

    Files.writeString(file, config("b", b).replace("[probe, ", "[probbe, "));
    await("first failure counted", () -> reloads("failure") == 1);
    replaceAtomically(file, config("b", b).replace("routes:", "routes: ["));
    await("second failure counted", () -> reloads("failure") == 2);
    // loads, but a middleware refuses to be built for the last route
    Files.writeString(
        file,
        config("b", b)
            + "  - path: "
            + ProbeMiddleware.REFUSED_PATH
            + "\n    target: "
            + b.url()
            + "\n    middleware: [probe]\n");
    await("third failure counted", () -> reloads("failure") == 3);
    // what was built for the refused configuration is closed again
    await(
        "the refused configuration's filters destroyed",
        () -> ProbeMiddleware.EVENTS.contains("destroyed " + b.url()));

    assertEquals("A", get("/api/x").body());
    assertEquals(0, reloads("success"));
  }

  @Test
  void settingsFixedAtStartAreNamedInAWarningAndTheRestIsApplied() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);
    logged.clear();

    Files.writeString(
        file,
        config("b", b).replace("server:\n", "server:\n  port: 18080\n")
            + "upstream:\n  max_connections: 10\n");

    await("/only-b served", () -> serves("/only-b", 200));
    List<String> lines = new ArrayList<>();
    logged.drainTo(lines);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("WARNING configuration reloaded, but these settings apply only")
                        && l.contains("server.port")
                        && l.contains("upstream")
                        && !l.contains("server.reload")),
        lines.toString());
  }

  @Test
  void withReloadOffTheFileIsNotWatched() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("gateway.yaml"),
            config("a", a).replace("  reload:\n", "  reload:\n    enabled: false\n"));
    start(file);
    assertFalse(watcherRunning());

    Files.writeString(file, config("b", b));

    Thread.sleep(1000); // ten polling intervals of the config above: nothing may change
    assertEquals(404, get("/only-b").statusCode());
    assertEquals(0, reloads("success") + reloads("failure"));
  }

  @Test
  void theDefaultBundledInTheWarIsNeverWatched() throws Exception {
    gateway = EmbeddedGateway.start(WebappDir.create(), null, 0);

    assertEquals(200, get("/readyz").statusCode());
    assertFalse(watcherRunning());
  }

  private static boolean watcherRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(ConfigWatcher.THREAD_NAME) && t.isAlive());
  }

  @Test
  void aRequestInFlightFinishesOnItsConfigurationWhichClosesOnlyAfterIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch arrived = new CountDownLatch(1);
    a.handle(
        "/api/slow",
        e -> {
          arrived.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(e, 200, "slow answer from A");
        });
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);
    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return get("/api/slow");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(arrived.await(10, TimeUnit.SECONDS));

    Files.writeString(file, config("b", b));
    await("/only-b served", () -> serves("/only-b", 200));
    assertEquals("B", get("/api/x").body());
    // the configuration A's request runs on is retired but alive
    assertTrue(
        !ProbeMiddleware.EVENTS.contains("destroyed " + a.url()),
        "A's filters destroyed under a running request");

    release.countDown();
    HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals("slow answer from A", r.body());
    await(
        "A's filters destroyed after its last request",
        () -> ProbeMiddleware.EVENTS.contains("destroyed " + a.url()));
  }

  /**
   * The one that matters: clients hammer the gateway while the configuration is replaced again and
   * again (valid ones alternating between two upstreams, invalid ones in between, by writes in
   * place and by renames), and not one request fails.
   */
  @Test
  void noRequestFailsWhileTheConfigurationIsReloadedUnderLoad() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config("a", a));
    start(file);
    int clients = 16;
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<CompletableFuture<Void>> hammers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      hammers.add(
          CompletableFuture.runAsync(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> r = get("/api/load");
                    if (r.statusCode() != 200 || !(r.body().equals("A") || r.body().equals("B"))) {
                      failures.add(r.statusCode() + " " + r.body());
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                  sent.incrementAndGet();
                }
              },
              pool));
    }
    int reloads = 24;
    try {
      for (int i = 1; i <= reloads; i++) {
        boolean toB = i % 2 == 1;
        String name = toB ? "b" : "a";
        String yaml = config(name, toB ? b : a);
        double failed = reloads("failure");
        String broken =
            i % 3 == 0
                ? yaml.replace("burst: 1000000", "burst: lots")
                : yaml.replace("[probe, ", "[nosuch, ");
        Files.writeString(file, broken);
        await("invalid config " + i + " rejected", () -> reloads("failure") == failed + 1);
        if (i % 2 == 0) {
          replaceAtomically(file, yaml);
        } else {
          Files.writeString(file, yaml);
        }
        await("config " + i + " served", () -> serves("/only-" + name, 200));
      }
      // keep the load on after the last swap, until a few thousand requests have gone through
      int atLastSwap = sent.get();
      awaitWithin(
          Duration.ofSeconds(60),
          "3000 requests",
          () -> sent.get() >= Math.max(3000, atLastSwap + 200));
    } finally {
      running.set(false);
      CompletableFuture.allOf(hammers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      pool.shutdownNow();
    }
    assertEquals(List.of(), List.copyOf(failures), "failed requests");
    assertEquals(reloads, reloads("success"));
    assertEquals(reloads, reloads("failure"));
    // the last configuration routes to A; every request from now on goes there
    for (int i = 0; i < 20; i++) {
      assertEquals("A", get("/api/after").body());
    }
    assertEquals(404, get("/only-b").statusCode());
    // every retired configuration was closed (24 swaps: 24 destroyed /api/* probes)
    await(
        "retired configurations closed",
        () ->
            ProbeMiddleware.EVENTS.stream()
                    .filter(
                        e -> e.equals("destroyed " + a.url()) || e.equals("destroyed " + b.url()))
                    .count()
                == reloads);
  }
}
