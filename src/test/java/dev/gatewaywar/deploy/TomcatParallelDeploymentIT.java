package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

/**
 * Tomcat's parallel deployment with the gateway: version 002 of /gateway deployed beside a running
 * 001, each version with its own configuration (a context file's {@code gateway.config} parameter,
 * so no {@code -Dgateway.config} that would apply to both). The gateway creates no HTTP sessions,
 * so Tomcat sends every new request to the newest version at once; what drains on the old one is
 * the requests already in flight. With {@code undeployOldVersions} the Host undeploys 001 as soon
 * as 002 is up (001 has no sessions), and the context's {@code unloadDelay} is how long that
 * undeploy waits for 001's in-flight requests.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatParallelDeploymentIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  /** Longer than Tomcat's default unloadDelay (2 s): the request outlives a default undeploy. */
  private static final Duration PAST_DEFAULT_UNLOAD_DELAY = Duration.ofSeconds(3);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final List<TomcatServer> servers = new ArrayList<>();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private TestUpstream upstream001;
  private TestUpstream upstream002;

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(System.getProperty(p, "missing-" + p))));
  }

  @BeforeEach
  void startUpstreams() throws Exception {
    upstream001 = TestUpstream.start();
    upstream001.handle("/which", e -> TestUpstream.reply(e, 200, "001"));
    upstream001.handle(
        "/slow",
        e -> {
          TestUpstream.record(e);
          try {
            releaseSlow.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(e, 200, "slow answer from 001, complete");
        });
    upstream002 = TestUpstream.start();
    upstream002.handle("/which", e -> TestUpstream.reply(e, 200, "002"));
  }

  @AfterEach
  void killEverything() {
    releaseSlow.countDown();
    servers.forEach(TomcatServer::close);
    upstream001.close();
    upstream002.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void newVersionTakesNewRequestsWhileTheOldOneFinishesItsInFlightRequestThenGoes(
      Distribution distribution) throws Exception {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-parallel"));
    servers.add(tomcat);
    tomcat.editServerXml(
        doc ->
            ((Element) doc.getElementsByTagName("Host").item(0))
                .setAttribute("undeployOldVersions", "true"));
    tomcat.start();
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();

    deployVersion(tomcat, "001", upstream001);
    awaitBody(tomcat, "/gateway/which", "001");
    upstream001.clear();
    Set<String> threadsOf001 = new HashSet<>(UndeployLeaks.threads(tomcat).keySet());
    threadsOf001.removeAll(threadsBefore);
    CompletableFuture<HttpResponse<String>> inFlight =
        HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create(url(tomcat, "/gateway/slow")))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("/slow", upstream001.nextRequest().rawUri(), "the slow request is on 001");

    deployVersion(tomcat, "002", upstream002);
    awaitBody(tomcat, "/gateway/which", "002");
    for (int i = 0; i < 5; i++) {
      assertEquals("002", tomcat.get("/gateway/which").body(), "every new request goes to 002");
    }
    // the undeploy of 001 waits for the request: Tomcat waits for a context's asynchronous
    // requests (the proxy's) up to its unloadDelay, silently; past the default 2 s it still does
    awaitConsoleLine(tomcat, "Undeploying context [/gateway##001]");
    Thread.sleep(PAST_DEFAULT_UNLOAD_DELAY.toMillis()); // Tomcat's own clock: nothing to inject
    assertFalse(
        inFlight.isDone(),
        () ->
            "the in-flight request ended before its upstream answered: " + inFlight.join().body());
    releaseSlow.countDown();

    HttpResponse<String> slow = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, slow.statusCode(), slow::body);
    assertEquals("slow answer from 001, complete", slow.body());
    awaitGone(tomcat.base().resolve("webapps/gateway##001"));
    assertTrue(tomcat.console().contains("gateway##001"), "Tomcat names the version it undeployed");
    assertEquals("002", tomcat.get("/gateway/which").body());
    // 002 runs on: what it started is not 001's leak, so only 001's own threads may not remain
    Set<String> notOf001 = new HashSet<>(UndeployLeaks.threads(tomcat).keySet());
    notOf001.removeAll(threadsOf001);
    UndeployLeaks.assertNothingLeftBehind(tomcat, notOf001, 1);
    tomcat.stop();
    assertTrue(UndeployLeaks.warnings(tomcat.allLogs()).isEmpty(), () -> logs(tomcat));
  }

  /**
   * Writes the version's config, then its context file: the one file whose appearance deploys the
   * version, naming the WAR (kept outside webapps/, so the auto-deployer never sees it without its
   * parameter) and the config.
   */
  private static void deployVersion(TomcatServer tomcat, String version, TestUpstream upstream)
      throws Exception {
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway-" + version + ".yaml"),
            """
            routes:
              - path: /which
                target: %s
              - path: /slow
                target: %s
            """
                .formatted(upstream.url(), upstream.url()),
            StandardCharsets.UTF_8);
    Path war = tomcat.base().resolve("versions/gateway##" + version + ".war");
    Files.createDirectories(war.getParent());
    Files.copy(WAR, war);
    String context =
        Files.readString(Path.of("deploy/tomcat/gateway##002.xml"), StandardCharsets.UTF_8)
            .replace("/opt/gateway/gateway##002.war", war.toString())
            .replace("/etc/gateway/gateway-002.yaml", config.toString());
    tomcat.writeAtomically("conf/Catalina/localhost/gateway##" + version + ".xml", context);
  }

  private static void awaitBody(TomcatServer tomcat, String path, String body) throws Exception {
    long deadline = System.nanoTime() + TomcatServer.START_TIMEOUT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = tomcat.get(path);
      if (r.statusCode() == 200 && (last = r.body()).equals(body)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " never answered " + body + " (last: " + last + ")");
  }

  private static void awaitConsoleLine(TomcatServer tomcat, String text) throws Exception {
    long deadline = System.nanoTime() + TomcatServer.STOP_TIMEOUT.toNanos();
    while (!tomcat.console().contains(text)) {
      assertTrue(System.nanoTime() < deadline, () -> "no \"" + text + "\" in\n" + logs(tomcat));
      Thread.sleep(100);
    }
  }

  private static void awaitGone(Path dir) throws InterruptedException {
    long deadline = System.nanoTime() + TomcatServer.STOP_TIMEOUT.toNanos();
    while (Files.exists(dir)) {
      assertTrue(System.nanoTime() < deadline, dir + " still there: the old version stayed");
      Thread.sleep(100);
    }
  }

  private static String url(TomcatServer tomcat, String path) {
    return "http://127.0.0.1:" + tomcat.port() + path;
  }

  private static String logs(TomcatServer tomcat) {
    try {
      return tomcat.allLogs();
    } catch (java.io.IOException e) {
      return "(logs unreadable: " + e + ")";
    }
  }
}
