package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route with two upstream targets and health checks, in the WAR deployed into a stock Tomcat 11:
 * one target is killed and started again while requests run, then the WAR is undeployed and the
 * health-check thread must be gone with it ({@link UndeployLeaks}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatSeveralTargetsIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  private TwoTargets targets;
  private TomcatServer tomcat;

  @AfterEach
  void killEverything() {
    if (tomcat != null) {
      tomcat.close();
    }
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void aKilledTargetFailsNoRequestAndUndeployLeavesNoThread() throws Exception {
    targets = new TwoTargets(Duration.ofMillis(200));
    tomcat =
        TomcatServer.create(
            new Distribution(Path.of(System.getProperty("tomcat11.home"))),
            BASES.resolve("tomcat11-several-targets"));
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"), targets.config(), StandardCharsets.UTF_8);
    tomcat.start(config);
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "ROOT.war").awaitStatus("/readyz", 200);

    for (int i = 0; i < 20; i++) {
      assertOk(tomcat.get("/api/x"));
    }
    assertEquals(10, targets.served("b"));
    targets.killB();
    int bAtKill = targets.served("b");
    for (int i = 0; i < 100; i++) {
      assertOk(tomcat.get("/api/x"));
    }
    assertEquals(bAtKill, targets.served("b"));

    targets.restartB();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (targets.served("b") == bAtKill && System.nanoTime() < deadline) {
      assertOk(tomcat.get("/api/x"));
    }
    assertTrue(targets.served("b") > bAtKill, "b gets traffic again once restarted");

    tomcat.undeploy("ROOT.war");
    tomcat.awaitStatus("/readyz", 404);
    UndeployLeaks.assertNothingLeftBehind(tomcat, threadsBefore, 0);
    tomcat.stop();
    String logs = tomcat.allLogs();
    for (String warning : UndeployLeaks.WARNINGS) {
      assertTrue(!logs.contains(warning), () -> "leak reported on undeploy: " + warning);
    }
  }

  private void assertOk(HttpResponse<String> r) throws IOException {
    assertEquals(200, r.statusCode(), () -> r.body() + "\n" + logs());
  }

  private String logs() {
    try {
      return tomcat.allLogs();
    } catch (IOException e) {
      return "(logs unreadable: " + e + ")";
    }
  }
}
