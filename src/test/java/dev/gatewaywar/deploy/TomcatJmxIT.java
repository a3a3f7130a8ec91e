package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.jmx.MBeanNames;
import dev.gatewaywar.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway's MBeans in a stock Tomcat 10.1 and 11, read and driven as an operator does, through
 * the manager webapp's {@code /manager/jmxproxy} with a {@code manager-jmx} user: names and
 * attributes, counts rising with requests, {@code reload()} after the file was edited (routes'
 * MBeans follow), and after undeploy no MBean and no class loader left ({@link UndeployLeaks}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TomcatJmxIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");
  private static final String USER = "jmx";
  private static final String PASSWORD = "jmx-proxy-secret-1";
  private static final MBeanNames NAMES = MBeanNames.of("/gateway", Optional.empty());

  private TestUpstream a;
  private TestUpstream b;
  private TomcatServer tomcat;
  private TomcatJmxProxy jmx;

  @BeforeEach
  void start() throws Exception {
    a = TestUpstream.start();
    a.handle("/", e -> TestUpstream.respond(e, 200, "a"));
    a.handle("/api/fail", e -> TestUpstream.respond(e, 500, "broken"));
    b = TestUpstream.start();
    b.handle("/", e -> TestUpstream.respond(e, 200, "b"));
  }

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(System.getProperty(p, "missing-" + p))));
  }

  private void create(Distribution distribution) throws Exception {
    tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-jmx"))
            .withManager(USER, PASSWORD, "manager-jmx");
    jmx = new TomcatJmxProxy(tomcat, USER, PASSWORD);
  }

  @AfterEach
  void killEverything() {
    if (tomcat != null) {
      tomcat.close();
    }
    a.close();
    b.close();
  }

  /** Reload by the file watcher is off: what changes the configuration here is reload(). */
  private String config(String routes) {
    return """
        server:
          reload:
            enabled: false
        metrics:
          prometheus:
            enabled: true
        routes:
        """
        + routes.replace("A_URL", a.url()).replace("B_URL", b.url());
  }

  private static final String FIRST_ROUTES =
      """
        - path: /api/*
          target: A_URL
          middleware: [metrics]
        - path: /old
          methods: [GET]
          target: A_URL
      """;

  private static final String SECOND_ROUTES =
      """
        - path: /api/*
          target: A_URL
          middleware: [metrics]
        - path: /new/:id
          methods: [POST, GET]
          targets: [{url: A_URL}, {url: B_URL}]
          middleware: [metrics]
      """;

  @ParameterizedTest
  @MethodSource("distributions")
  void mbeansFollowTheGatewayThroughRequestsReloadAndUndeploy(Distribution distribution)
      throws Exception {
    create(distribution);
    Path file = tomcat.writeAtomically("gateway.yaml", config(FIRST_ROUTES));
    tomcat.start(file);
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "gateway.war").awaitStatus("/gateway/readyz", 200);

    ObjectName gateway = NAMES.gateway();
    ObjectName api = NAMES.route("/api/*", List.of());
    Map<ObjectName, Map<String, String>> beans = jmx.query("dev.gatewaywar:*");
    assertEquals(
        Set.of(
            gateway,
            api,
            NAMES.route("/old", List.of("GET")),
            NAMES.upstream("/api/*", a.url()),
            NAMES.upstream("/old", a.url())),
        beans.keySet());
    Map<String, String> first = beans.get(gateway);
    assertEquals(file.toString(), first.get("ConfigFile"));
    assertEquals(sha256(file), first.get("ConfigDigest"));
    assertEquals("2", first.get("RouteCount"));
    assertEquals("", first.get("LastReloadError"));
    Instant loadedAt = Instant.parse(first.get("LoadedAt"));

    for (int i = 0; i < 3; i++) {
      assertStatus(200, tomcat.get("/gateway/api/ok"));
    }
    assertStatus(500, tomcat.get("/gateway/api/fail"));
    assertStatus(500, tomcat.get("/gateway/api/fail"));
    assertEquals("5", jmx.get(api, "Requests"));
    assertEquals("2", jmx.get(api, "ServerErrors"));
    assertEquals("0", jmx.get(api, "InFlight"));
    Map<String, String> upstream =
        jmx.query(NAMES.upstream("/api/*", a.url()).toString()).values().iterator().next();
    assertEquals("true", upstream.get("Healthy"));
    assertEquals("closed", upstream.get("CircuitState"));

    Thread.sleep(5); // LoadedAt has millisecond precision at best
    tomcat.writeAtomically("gateway.yaml", config(SECOND_ROUTES));
    String result = jmx.invoke(gateway, "reload");
    assertTrue(result.startsWith("loaded " + sha256(file)), result);
    assertEquals(sha256(file), jmx.get(gateway, "ConfigDigest"));
    assertTrue(Instant.parse(jmx.get(gateway, "LoadedAt")).isAfter(loadedAt));
    assertEquals(
        Set.of(
            gateway,
            api,
            NAMES.route("/new/:id", List.of("GET", "POST")),
            NAMES.upstream("/api/*", a.url()),
            NAMES.upstream("/new/:id", a.url()),
            NAMES.upstream("/new/:id", b.url())),
        jmx.query("dev.gatewaywar:*").keySet());
    assertEquals("5", jmx.get(api, "Requests"), "a route the reload kept keeps its counts");
    assertStatus(200, tomcat.get("/gateway/api/ok"));
    assertEquals("6", jmx.get(api, "Requests"));

    String digest = sha256(file);
    tomcat.writeAtomically("gateway.yaml", config(SECOND_ROUTES + "    unknown_key: 1\n"));
    String rejected = jmx.invoke(gateway, "reload");
    assertTrue(rejected.startsWith("rejected"), rejected);
    assertTrue(jmx.get(gateway, "LastReloadError").contains("unknown_key"));
    assertEquals(digest, jmx.get(gateway, "ConfigDigest"), "still serving the previous file");

    tomcat.undeploy("gateway.war");
    tomcat.awaitStatus("/gateway/readyz", 404);
    assertEquals(Map.of(), jmx.query("dev.gatewaywar:*"));
    UndeployLeaks.assertNothingLeftBehind(tomcat, threadsBefore, 1, false); // 1: the manager
  }

  /**
   * Two versions of /gateway side by side (Tomcat's parallel deployment): each has its own MBeans,
   * told apart by their {@code version} key, and undeploying one leaves the other's.
   */
  @Test
  void parallelVersionsHaveTheirOwnMBeans() throws Exception {
    create(new Distribution(Path.of(System.getProperty("tomcat11.home"))));
    Path file = tomcat.writeAtomically("gateway.yaml", config(FIRST_ROUTES));
    tomcat.start(file);
    tomcat.deploy(WAR, "gateway##1.war").awaitStatus("/gateway/readyz", 200);
    MBeanNames one = MBeanNames.of("/gateway", Optional.of("1"));
    MBeanNames two = MBeanNames.of("/gateway", Optional.of("2"));
    tomcat.deploy(WAR, "gateway##2.war");
    awaitMBeans(two.gateway().toString(), 1);

    Map<ObjectName, Map<String, String>> gateways = jmx.query("dev.gatewaywar:type=Gateway,*");
    assertEquals(Set.of(one.gateway(), two.gateway()), gateways.keySet());
    assertEquals(10, jmx.query("dev.gatewaywar:*").size());

    tomcat.undeploy("gateway##1.war");
    assertEquals(0, jmx.query(one.all().toString()).size(), "version 1's MBeans gone");
    assertEquals(5, jmx.query(two.all().toString()).size(), "version 2's MBeans stay");
    assertStatus(200, tomcat.get("/gateway/api/x"));
    assertEquals("1", jmx.get(two.route("/api/*", List.of()), "Requests"));
  }

  private void awaitMBeans(String pattern, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (jmx.query(pattern).size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(pattern + ": not " + count + " MBeans within 60 s\n" + logs());
      }
      Thread.sleep(200);
    }
  }

  private void assertStatus(int status, HttpResponse<String> response) throws Exception {
    assertEquals(status, response.statusCode(), () -> response.body() + "\n" + logs());
  }

  private String logs() {
    try {
      return tomcat.allLogs();
    } catch (java.io.IOException e) {
      return "(logs unreadable: " + e + ")";
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
