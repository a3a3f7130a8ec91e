package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.Background.async;
import static dev.gatewaywar.deploy.Background.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.Commands;
import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * WildFly's own suspend ({@code :suspend}, {@code :resume}) and graceful shutdown ({@code
 * :shutdown(suspend-timeout=...)}) with the gateway deployed, as docs/operations.md describes them.
 * WildFly's request controller answers every new request of a suspended server, {@code /readyz}
 * included, with its own 503 before the gateway sees it; it counts the gateway's asynchronous
 * requests as running until their responses end, and the suspend waits for them. So a streaming
 * answer in flight finishes with all its bytes, and after {@code :resume} the gateway serves again
 * as before. A shutdown whose suspend timeout passes first goes on to undeploy the gateway, whose
 * own drain ({@code server.drain_timeout}) then lets the request finish.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlySuspendIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));

  /** The page Undertow writes for WildFly's 503 of a suspended server. */
  private static final String SUSPENDED_PAGE =
      "<html><head><title>Error</title></head><body>503 - Service Unavailable</body></html>";

  private static TestUpstream upstream;
  private static WildFlyServer wildfly;
  private HeldAnswer held;

  @BeforeAll
  static void start() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "user from upstream"));
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-suspend"));
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"),
            """
            routes:
              - path: /users/:id
                target: UPSTREAM
              - path: /slow
                target: UPSTREAM
            """
                .replace("UPSTREAM", upstream.url()),
            StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=ROOT.war").assertSucceeded();
  }

  @AfterAll
  static void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    upstream.close();
  }

  @BeforeEach
  void holdTheSlowAnswer() {
    held = new HeldAnswer();
    upstream.handle("/slow", held);
  }

  @AfterEach
  void release() {
    held.release();
  }

  @Test
  @Order(1)
  void suspendTurnsReadinessAwayWaitsForTheStreamInFlightAndResumeServesAgain() throws Exception {
    assertEquals(200, wildfly.get("/readyz").statusCode());
    assertEquals(200, wildfly.get("/users/1").statusCode());
    upstream.nextRequest();

    CompletableFuture<HttpResponse<String>> slow = async(() -> wildfly.get("/slow"));
    assertTrue(held.arrived(), "the request did not reach the upstream");
    CompletableFuture<Commands.Result> suspending =
        async(() -> wildfly.cli(":suspend(suspend-timeout=30)"));

    assertSuspendedAnswer(awaitStatus("/readyz", 503));
    assertSuspendedAnswer(wildfly.get("/users/2"));
    assertTrue(upstream.noRequestWithin(200), "a request of a suspended server was proxied");
    // the suspend waits for the request in flight, which the suspend does not cut
    assertEquals("SUSPENDING", suspendState());
    Thread.sleep(2_000);
    assertFalse(suspending.isDone(), () -> "the suspend did not wait: " + suspending);
    assertFalse(slow.isDone(), () -> "ended during the suspend: " + slow);

    held.release();
    HttpResponse<String> answer = slow.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode());
    assertEquals(HeldAnswer.BODY, answer.body());
    suspending.get(60, TimeUnit.SECONDS).assertSucceeded();
    assertEquals("SUSPENDED", suspendState());
    assertSuspendedAnswer(wildfly.get("/readyz"));

    wildfly.cli(":resume").assertSucceeded();
    assertEquals("RUNNING", suspendState());
    HttpResponse<String> ready = awaitStatus("/readyz", 200);
    assertTrue(ready.body().contains("\"ready\""), ready::body);
    HttpResponse<String> served = wildfly.get("/users/3");
    assertEquals(200, served.statusCode());
    assertEquals("user from upstream", served.body());
    assertEquals("/users/3", upstream.nextRequest().rawUri());
  }

  /**
   * A suspend whose timeout passes first returns, and leaves the server suspending (not cutting the
   * request) until the request has ended.
   */
  @Test
  @Order(2)
  void aSuspendTimeoutDoesNotCutTheStreamInFlight() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = async(() -> wildfly.get("/slow"));
    try {
      assertTrue(held.arrived(), "the request did not reach the upstream");
      wildfly.cli(":suspend(suspend-timeout=1)").assertSucceeded();
      assertEquals("SUSPENDING", suspendState());
      assertSuspendedAnswer(wildfly.get("/readyz"));
      assertFalse(slow.isDone(), () -> "ended after the suspend timeout: " + slow);

      held.release();
      HttpResponse<String> answer = slow.get(30, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode());
      assertEquals(HeldAnswer.BODY, answer.body());
      awaitTrue("suspended once the request ended", () -> suspendState().equals("SUSPENDED"));
    } finally {
      held.release();
      wildfly.cli(":resume").assertSucceeded();
    }
    awaitStatus("/readyz", 200);
  }

  /**
   * A graceful shutdown whose suspend timeout passes with the request still running: WildFly then
   * stops the deployment, and the gateway's drain keeps it (and the request) alive until the
   * request is done.
   */
  @Test
  @Order(3)
  void gracefulShutdownPastItsSuspendTimeoutStillLetsTheStreamFinish() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = async(() -> wildfly.get("/slow"));
    assertTrue(held.arrived(), "the request did not reach the upstream");
    long mark = wildfly.serverLogMark();
    wildfly.cli(":shutdown(suspend-timeout=1)").assertSucceeded();
    awaitTrue(
        "the gateway's drain began",
        () -> wildfly.serverLogSince(mark).contains("gateway stopping: new requests get 503"));
    String stopping = wildfly.serverLogSince(mark);
    assertTrue(stopping.contains("for 1 request(s) in flight"), stopping);
    Thread.sleep(2_000);
    assertFalse(slow.isDone(), () -> "ended during the shutdown: " + slow);

    held.release();
    HttpResponse<String> answer = slow.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode());
    assertEquals(HeldAnswer.BODY, answer.body());
    wildfly.awaitExit(WildFlyServer.STOP_TIMEOUT);
    String log = wildfly.serverLogSince(mark);
    assertTrue(log.contains("gateway drained in"), log);
    assertTrue(wildfly.errorsSince(mark).isEmpty(), log);
  }

  /** WildFly's answer for a suspended server: its own 503 page, not the gateway's JSON. */
  private static void assertSuspendedAnswer(HttpResponse<String> answer) {
    assertEquals(503, answer.statusCode(), answer::body);
    assertEquals(SUSPENDED_PAGE, answer.body());
    assertEquals("text/html", answer.headers().firstValue("Content-Type").orElse(""));
  }

  private String suspendState() throws IOException, InterruptedException {
    return wildfly
        .cli(":read-attribute(name=suspend-state)")
        .output()
        .lines()
        .filter(l -> l.contains("\"result\""))
        .map(l -> l.substring(l.indexOf("=>") + 2).strip().replace("\"", ""))
        .findFirst()
        .orElse("");
  }

  private HttpResponse<String> awaitStatus(String path, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      HttpResponse<String> r = wildfly.get(path);
      if (r.statusCode() == status) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " still " + r.statusCode() + " after 30 s: " + r.body());
      }
      Thread.sleep(50);
    }
  }
}
