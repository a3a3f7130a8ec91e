package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin page in the WAR deployed into a stock Tomcat 10.1 and 11 under the context path {@code
 * /gateway}: the page and its JSON below the context path, a target found down, a reload seen, a
 * refused request from outside the allow list, and nothing of the gateway left once it is
 * undeployed ({@link UndeployLeaks}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatAdminPageIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  private TomcatServer tomcat;
  private TestUpstream upstream;

  @AfterEach
  void killEverything() {
    if (tomcat != null) {
      tomcat.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static String config(String up, String down, String extraRoute) {
    return """
        server:
          reload:
            interval: 200ms
            debounce: 20ms
        admin:
          enabled: true
        routes:
          - path: /shop/*
            targets: [{url: %s}, {url: %s}]
            health_check:
              path: /
              interval: 1s
              timeout: 1s
              unhealthy_after: 2
              healthy_after: 1
            middleware: [metrics]
        %s"""
        .formatted(up, down, extraRoute);
  }

  private void awaitStatus(Predicate<String> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = tomcat.get("/gateway/_gateway/api").body();
      if (condition.test(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not within 20 s: " + what + "; last: " + last);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomcat10.home", "tomcat11.home"})
  void thePageFollowsTheGatewayAndLeavesNothingOnUndeploy(String home) throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/", e -> TestUpstream.respond(e, 200, "up"));
    String down;
    try (ServerSocket s = new ServerSocket(0)) {
      down = "http://127.0.0.1:" + s.getLocalPort();
    }
    tomcat =
        TomcatServer.create(
            new Distribution(Path.of(System.getProperty(home))),
            BASES.resolve(home.replace(".home", "") + "-admin-page"));
    Path config = tomcat.writeAtomically("gateway.yaml", config(upstream.url(), down, ""));
    tomcat.start(config);
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "gateway.war").awaitStatus("/gateway/readyz", 200);

    awaitStatus(s -> s.contains("\"state\":\"down\""), "the refused target down");
    assertEquals(200, tomcat.get("/gateway/shop/x").statusCode());
    awaitStatus(s -> s.contains("\"requests\":1"), "the request counted");
    HttpResponse<String> page = tomcat.get("/gateway/_gateway");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("data-pattern=\"/shop/*\""), page.body());
    assertTrue(page.body().contains("class=\"target down\""), page.body());
    assertTrue(page.body().contains("href=\"/gateway/_gateway/api\""), "linked below the context");
    assertTrue(page.body().contains(config.toString()), "names the file: " + page.body());

    tomcat.writeAtomically(
        "gateway.yaml",
        config(upstream.url(), down, "  - path: /orders/*\n    target: " + upstream.url() + "\n"));
    awaitStatus(s -> s.contains("\"/orders/*\""), "the reloaded route");
    assertTrue(tomcat.get("/gateway/_gateway/api").body().contains("\"ok\":true"));

    tomcat.writeAtomically(
        "gateway.yaml",
        config(upstream.url(), down, "")
            .replace("enabled: true", "enabled: true\n  allow: [192.0.2.0/24]"));
    awaitStatus(s -> s.contains("forbidden"), "the new allow list applied");
    HttpResponse<String> refused = tomcat.get("/gateway/_gateway");
    assertEquals(403, refused.statusCode());
    assertFalse(refused.body().contains("/shop"), refused.body());

    tomcat.undeploy("gateway.war");
    tomcat.awaitStatus("/gateway/readyz", 404);
    UndeployLeaks.assertNothingLeftBehind(tomcat, threadsBefore, 0);
  }
}
