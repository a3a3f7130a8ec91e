package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.Background.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route with two upstream targets and health checks, in the WAR deployed into a stock WildFly:
 * loops of GETs run while one target is killed and started again. No GET fails (a refused
 * connection moves the request to the other target), the restarted target gets requests again
 * within two health-check intervals, and after undeploy no thread and no class loader of the
 * gateway is left in the server (the health-check thread and the upstream client's threads end with
 * it).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlySeveralTargetsIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Duration INTERVAL = Duration.ofMillis(500);

  /** Requests out at once: fewer than WildFly's request threads (see fixWorkerPool). */
  private static final int LOOPS = 4;

  private static final int POOL = 16;

  private TwoTargets targets;
  private WildFlyServer wildfly;

  @AfterEach
  void killEverything() {
    if (wildfly != null) {
      wildfly.close();
    }
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void aTargetKilledUnderLoadFailsNoRequestAndIsBackWithinTwoHealthCheckIntervals()
      throws Exception {
    targets = new TwoTargets(INTERVAL);
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution,
            WAR.getParent().resolve("it-wildfly/" + distribution + "-several-targets"));
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"), targets.config(), StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.fixWorkerPool(POOL);
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    long logMark = wildfly.serverLogMark();
    Set<String> threadsBefore = LeftBehind.names(wildfly.threads());
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=ROOT.war").assertSucceeded();
    assertEquals(200, wildfly.get("/readyz").statusCode());
    for (int i = 0; i < 20; i++) {
      assertOk(wildfly.get("/api/x"));
    }
    assertEquals(10, targets.served("b"), "round robin over both");

    GetLoops load = new GetLoops(LOOPS, () -> wildfly.get("/api/x"));
    try {
      load.awaitMore(200);
      targets.killB();
      awaitTrue("b taken out", () -> targets.bHealthy(wildfly.get("/metrics")) == 0);
      load.awaitMore(200);

      long restarted = targets.restartB();
      awaitTrue("b served again", () -> targets.bServedAfterRestart() != 0);
      Duration back = Duration.ofNanos(targets.bServedAfterRestart() - restarted);
      assertTrue(
          back.compareTo(INTERVAL.multipliedBy(2)) <= 0,
          () -> "b got its first request " + back.toMillis() + " ms after its restart");
      load.awaitMore(200);
    } finally {
      load.close();
    }
    List<String> failed = load.failures();
    assertEquals(List.of(), failed, () -> failed.size() + " of " + load.done() + " GETs failed");
    assertTrue(targets.served("a") > 400, "the load went on while b was out");

    wildfly.cli("undeploy ROOT.war").assertSucceeded();
    Duration took =
        wildfly.assertNothingLeftBehind("ROOT.war", threadsBefore, Duration.ofSeconds(30));
    System.out.println("ROOT.war: nothing left behind, " + took.toMillis() + " ms after undeploy");
    List<String> errors = wildfly.errorsSince(logMark);
    assertTrue(errors.isEmpty(), () -> "ERROR in server.log:\n" + String.join("\n", errors));
  }

  private void assertOk(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r::body);
  }
}
