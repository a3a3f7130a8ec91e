package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.Background.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.ConfigMapDir;
import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hot reload and graceful shutdown on stock Tomcat distributions: the configuration, mounted as
 * Kubernetes mounts a ConfigMap, is flipped while Tomcat runs; then Tomcat gets SIGTERM with a
 * request in flight whose upstream takes longer than Tomcat's own wait for busy servlets (the
 * context's {@code unloadDelay}, 2 s), and the request still completes in full; the watcher thread
 * and everything else stop without a leak report.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatGracefulShutdownIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");
  private static final List<String> LEAK_WARNINGS =
      List.of("memory leak", "appears to have started a thread", "failed to stop it");
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;
  private final HeldAnswer held = new HeldAnswer();

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(System.getProperty(p, "missing-" + p))));
  }

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/api/slow", held);
  }

  @AfterEach
  void killEverything() {
    held.release();
    servers.forEach(TomcatServer::close);
    upstream.close();
  }

  private String config(String only) {
    return """
        server:
          reload:
            interval: 500ms
        routes:
          - path: /api/*
            target: %s
          - path: /only-%s
            target: %s
        """
        .formatted(upstream.url(), only, upstream.url());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void aConfigMapFlipIsServedAndSigtermLetsTheRequestInFlightFinish(Distribution distribution)
      throws Exception {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-graceful"));
    servers.add(tomcat);
    tomcat.deploy(WAR, "ROOT.war");
    Path mount = Files.createDirectory(tomcat.base().resolve("configmap"));
    tomcat.start(ConfigMapDir.create(mount, config("a")));
    assertEquals(200, tomcat.get("/only-a").statusCode());
    assertEquals(404, tomcat.get("/only-b").statusCode());

    ConfigMapDir.update(mount, config("b"));
    awaitTrue("/only-b served", () -> tomcat.get("/only-b").statusCode() == 200);
    assertEquals(404, tomcat.get("/only-a").statusCode());

    CompletableFuture<HttpResponse<String>> slow =
        HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tomcat.port() + "/api/slow"))
                .timeout(Duration.ofSeconds(90))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(held.arrived());
    CompletableFuture<Void> stopping =
        CompletableFuture.runAsync(
            () -> {
              try {
                tomcat.stop();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // past Tomcat's own 2 s wait for the busy proxy servlet, into the gateway's drain
    awaitTrue(
        "the gateway's drain began",
        () -> tomcat.console().contains("gateway stopping: new requests get 503"));
    assertFalse(stopping.isDone());
    assertStillInFlight(slow);

    held.release();
    HttpResponse<String> r = slow.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals(HeldAnswer.BODY, r.body());
    stopping.get(60, TimeUnit.SECONDS);

    String logs = tomcat.allLogs();
    assertTrue(logs.contains("configuration reloaded from " + mount.resolve("gateway.yaml")), logs);
    assertTrue(logs.contains("gateway drained in"), logs);
    for (String l : logs.split("\n")) {
      for (String warning : LEAK_WARNINGS) {
        assertFalse(l.contains(warning), () -> "leak reported on stop:\n" + l);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void anUndeployWaitsForTheRequestInFlightAndLeavesNothingBehind(Distribution distribution)
      throws Exception {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-undeploy"));
    servers.add(tomcat);
    tomcat.deploy(WAR, "gateway.war");
    Path config = Files.writeString(tomcat.base().resolve("gateway.yaml"), config("a"));
    tomcat.start(config);
    assertEquals(200, tomcat.get("/gateway/only-a").statusCode());
    CompletableFuture<HttpResponse<String>> slow =
        HTTP.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + tomcat.port() + "/gateway/api/slow"))
                .timeout(Duration.ofSeconds(90))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(held.arrived());

    // Tomcat's host notices the WAR is gone (autoDeploy, checked every 10 s) and undeploys it
    Files.delete(tomcat.base().resolve("webapps/gateway.war"));
    awaitTrue(
        "the gateway's drain began",
        () -> tomcat.console().contains("gateway stopping: new requests get 503"));
    assertEquals(404, tomcat.get("/gateway/only-a").statusCode(), "context still mapped");
    assertStillInFlight(slow);

    held.release();
    HttpResponse<String> r = slow.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals(HeldAnswer.BODY, r.body());
    awaitTrue("drained", () -> tomcat.console().contains("gateway drained in"));
    // Tomcat's leak check runs when the webapp's class loader stops, right after the drain; its
    // report, if any, is in the logs once Tomcat has stopped
    tomcat.stop();
    for (String l : tomcat.allLogs().split("\n")) {
      for (String warning : LEAK_WARNINGS) {
        assertFalse(l.contains(warning), () -> "leak reported on undeploy:\n" + l);
      }
    }
  }

  /**
   * The request is still open well after the drain began: longer than Tomcat's once-a-second sweep
   * that times out the async requests of a stopped webapp (it cut them before the proxy set an
   * async timeout of its own).
   */
  private static void assertStillInFlight(CompletableFuture<HttpResponse<String>> request)
      throws InterruptedException {
    Thread.sleep(2_500);
    assertFalse(request.isDone(), () -> "ended during the drain: " + request);
  }
}
