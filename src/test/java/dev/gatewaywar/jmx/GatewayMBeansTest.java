package dev.gatewaywar.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.LogCapture;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import jakarta.servlet.Filter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MBeans of a gateway on a real embedded Tomcat (ROOT: {@code context="/"}) with a real
 * upstream, read and invoked through the JVM's platform MBean server as any JMX client does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayMBeansTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
  private static final MBeanNames NAMES = MBeanNames.of("", Optional.empty());
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;
  private TestUpstream a;
  private TestUpstream b;
  private EmbeddedGateway gateway;
  private ObjectName all;

  @BeforeEach
  void start() throws Exception {
    // the ROOT webapp's MBeans: other tests of this JVM deploy the gateway at other paths
    all = NAMES.all();
    assertEquals(Set.of(), SERVER.queryNames(all, null), "left by an earlier test");
    a = TestUpstream.start();
    a.handle("/", e -> TestUpstream.respond(e, 200, "a"));
    a.handle("/api/fail", e -> TestUpstream.respond(e, 503, "down"));
    b = TestUpstream.start();
    b.handle("/", e -> TestUpstream.respond(e, 200, "b"));
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    a.close();
    b.close();
  }

  private String config(boolean watch, String routes) {
    return """
        server:
          reload:
            enabled: WATCH
            interval: 100ms
            debounce: 20ms
        metrics:
          prometheus:
            enabled: true
        routes:
        """
            .replace("WATCH", Boolean.toString(watch))
        + routes.replace("A_URL", a.url()).replace("B_URL", b.url());
  }

  private static final String API =
      """
        - path: /api/*
          target: A_URL
          middleware: [metrics]
      """;

  private static final String OLD =
      """
        - path: /old
          methods: [GET]
          target: A_URL
      """;

  private static final String NEW =
      """
        - path: /new/:id
          methods: [POST, GET]
          targets: [{url: A_URL}, {url: B_URL}]
          middleware: [metrics]
      """;

  private Path start(String config) throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config);
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
    return file;
  }

  private int get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void everyRouteAndTargetHasAnMBeanFromStartToStop() throws Exception {
    Path file = start(config(false, API + OLD + NEW));
    assertEquals(
        Set.of(
            NAMES.gateway(),
            NAMES.route("/api/*", List.of()),
            NAMES.route("/old", List.of("GET")),
            NAMES.route("/new/:id", List.of("GET", "POST")),
            NAMES.upstream("/api/*", a.url()),
            NAMES.upstream("/old", a.url()),
            NAMES.upstream("/new/:id", a.url()),
            NAMES.upstream("/new/:id", b.url())),
        SERVER.queryNames(all, null));
    assertEquals(file.toString(), SERVER.getAttribute(NAMES.gateway(), "ConfigFile"));
    assertEquals(sha256(file), SERVER.getAttribute(NAMES.gateway(), "ConfigDigest"));
    assertEquals(3, SERVER.getAttribute(NAMES.gateway(), "RouteCount"));
    assertEquals("", SERVER.getAttribute(NAMES.gateway(), "LastReloadError"));
    Instant loadedAt = Instant.parse((String) SERVER.getAttribute(NAMES.gateway(), "LoadedAt"));
    assertTrue(!loadedAt.isAfter(Instant.now()));

    gateway.close();
    gateway = null;
    assertEquals(Set.of(), SERVER.queryNames(all, null));
  }

  @Test
  void countsAreTheRoutesOwnAndTargetsShowTheirState() throws Exception {
    start(config(false, API + OLD + NEW));
    ObjectName api = NAMES.route("/api/*", List.of());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api/ok"));
    }
    assertEquals(503, get("/api/fail"));
    assertEquals(200, get("/new/7"));
    assertEquals(200, get("/old"));
    assertEquals(4L, SERVER.getAttribute(api, "Requests"));
    assertEquals(1L, SERVER.getAttribute(api, "ServerErrors"));
    assertEquals(0L, SERVER.getAttribute(api, "InFlight"));
    ObjectName fresh = NAMES.route("/new/:id", List.of("GET", "POST"));
    assertEquals(1L, SERVER.getAttribute(fresh, "Requests"));
    ObjectName uncounted = NAMES.route("/old", List.of("GET"));
    assertEquals(-1L, SERVER.getAttribute(uncounted, "Requests"), "no metrics middleware");

    ObjectName target = NAMES.upstream("/new/:id", b.url());
    assertEquals(true, SERVER.getAttribute(target, "Healthy"));
    assertEquals("closed", SERVER.getAttribute(target, "CircuitState"));
    assertEquals(0L, SERVER.getAttribute(target, "InFlight"));
    assertEquals(-1L, SERVER.getAttribute(NAMES.upstream("/old", a.url()), "InFlight"));
  }

  @Test
  void reloadThroughTheMBeanServerAddsAndRemovesRouteMBeans() throws Exception {
    Path file = start(config(false, API + OLD));
    ObjectName api = NAMES.route("/api/*", List.of());
    assertEquals(200, get("/api/x"));
    Instant loadedAt = Instant.parse((String) SERVER.getAttribute(NAMES.gateway(), "LoadedAt"));
    Thread.sleep(5);
    replace(file, config(false, API + NEW));

    String result = (String) SERVER.invoke(NAMES.gateway(), "reload", null, null);

    assertTrue(result.startsWith("loaded " + sha256(file)), result);
    assertEquals(sha256(file), SERVER.getAttribute(NAMES.gateway(), "ConfigDigest"));
    assertTrue(
        Instant.parse((String) SERVER.getAttribute(NAMES.gateway(), "LoadedAt")).isAfter(loadedAt));
    assertEquals(
        Set.of(
            NAMES.gateway(),
            api,
            NAMES.route("/new/:id", List.of("GET", "POST")),
            NAMES.upstream("/api/*", a.url()),
            NAMES.upstream("/new/:id", a.url()),
            NAMES.upstream("/new/:id", b.url())),
        SERVER.queryNames(all, null));
    assertEquals(1L, SERVER.getAttribute(api, "Requests"), "a kept route keeps its count");
  }

  @Test
  void aRejectedReloadIsReportedAndChangesNothing() throws Exception {
    Path file = start(config(false, API));
    String digest = sha256(file);
    replace(file, config(false, API + "    midleware: [metrics]\n"));

    String result = (String) SERVER.invoke(NAMES.gateway(), "reload", null, null);

    assertTrue(result.startsWith("rejected, still serving " + digest), result);
    String error = (String) SERVER.getAttribute(NAMES.gateway(), "LastReloadError");
    assertTrue(error.contains("midleware"), error);
    assertEquals(digest, SERVER.getAttribute(NAMES.gateway(), "ConfigDigest"));
    assertEquals(3, SERVER.queryNames(all, null).size());

    replace(file, config(false, API + OLD));
    assertTrue(
        ((String) SERVER.invoke(NAMES.gateway(), "reload", null, null)).startsWith("loaded"));
    assertEquals("", SERVER.getAttribute(NAMES.gateway(), "LastReloadError"));
  }

  @Test
  void aReloadTheWatcherMakesIsFollowedToo() throws Exception {
    Path file = start(config(true, API + OLD));
    replace(file, config(true, API + NEW));
    ObjectName added = NAMES.route("/new/:id", List.of("GET", "POST"));
    await("the new route's MBean", () -> SERVER.isRegistered(added));
    await(
        "the removed route's MBean gone",
        () -> !SERVER.isRegistered(NAMES.route("/old", List.of("GET"))));
    assertTrue(!SERVER.isRegistered(NAMES.upstream("/old", a.url())));
  }

  @Test
  void aSecondWebappWithTheSameNamesStartsWithoutThemAndLeavesTheFirstsAlone() throws Exception {
    Path file = start(config(false, API));
    try (LogCapture log = LogCapture.of(Registrations.class)) {
      EmbeddedGateway second = EmbeddedGateway.start(WebappDir.create(), file, 0);
      try {
        assertTrue(log.contains("already registered"), log.text());
        assertEquals(1, log.records().size(), "one warning, not one per MBean:\n" + log.text());
      } finally {
        second.close();
      }
    }
    assertEquals(3, SERVER.queryNames(all, null).size(), "the first webapp's MBeans stay");
    assertEquals(200, get("/api/x"));
    assertEquals(1L, SERVER.getAttribute(NAMES.route("/api/*", List.of()), "Requests"));
  }

  /** Middleware {@code build-thread}: records the thread each of its filters is built on. */
  public static final class BuildThread implements Middleware {
    static final BlockingQueue<String> BUILT = new LinkedBlockingQueue<>();

    @Override
    public String name() {
      return "build-thread";
    }

    @Override
    public Filter create(MiddlewareContext context) {
      Thread t = Thread.currentThread();
      BUILT.add(
          t.getName()
              + " "
              + (t.getContextClassLoader() == context.servletContext().getClassLoader()));
      return (request, response, chain) -> chain.doFilter(request, response);
    }
  }

  @Test
  void reloadRunsOnAThreadOfTheWebappsOwnNotTheCallers() throws Exception {
    String routes = API.replace("[metrics]", "[metrics, build-thread]");
    Path file = Files.writeString(dir.resolve("gateway.yaml"), config(false, routes));
    gateway = EmbeddedGateway.start(WebappDir.withMiddleware(BuildThread.class), file, 0);
    BuildThread.BUILT.clear();
    replace(file, config(false, routes + OLD));

    String result = (String) SERVER.invoke(NAMES.gateway(), "reload", null, null);

    assertTrue(result.startsWith("loaded"), result);
    assertEquals(GatewayBean.RELOAD_THREAD + " true", BuildThread.BUILT.poll());
  }

  @Test
  void theBundledConfigurationHasNoFileToReload() throws Exception {
    gateway = EmbeddedGateway.start(WebappDir.create(), null, 0);
    assertEquals("WAR:/WEB-INF/gateway.yaml", SERVER.getAttribute(NAMES.gateway(), "ConfigFile"));
    String result = (String) SERVER.invoke(NAMES.gateway(), "reload", null, null);
    assertTrue(result.startsWith("rejected, still serving "), result);
    assertTrue(result.contains("no configuration file"), result);
  }

  @Test
  void aFailedStartRegistersNothing() throws Exception {
    Path file =
        Files.writeString(dir.resolve("gateway.yaml"), config(false, API + "  - path: x\n"));
    assertThrows(Exception.class, () -> EmbeddedGateway.start(WebappDir.create(), file, 0));
    assertEquals(Set.of(), SERVER.queryNames(all, null));
  }

  private static void replace(Path file, String content) throws Exception {
    Path temp = Files.writeString(file.resolveSibling(".next.yaml"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 10 s");
      }
      Thread.sleep(20);
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
