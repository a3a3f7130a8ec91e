package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  private final List<TestUpstream> upstreams = new ArrayList<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private TomcatServer tomcat;

  @AfterEach
  void killEverything() {
    if (tomcat != null) {
      tomcat.close();
    }
    upstreams.forEach(TestUpstream::close);
  }

  private TestUpstream upstream(String name, int port) throws IOException {
    TestUpstream u = TestUpstream.start(port);
    served.putIfAbsent(name, new AtomicInteger());
    u.handle(
        "/",
        exchange -> {
          served.get(name).incrementAndGet();
          exchange.getResponseHeaders().set("Connection", "close");
          TestUpstream.respond(exchange, 200, name);
        });
    u.handle("/healthz", exchange -> TestUpstream.respond(exchange, 200, "up"));
    upstreams.add(u);
    return u;
  }

  @Test
  void aKilledTargetFailsNoRequestAndUndeployLeavesNoThread() throws Exception {
    TestUpstream a = upstream("a", 0);
    int bPort;
    try (ServerSocket s = new ServerSocket(0)) {
      bPort = s.getLocalPort();
    }
    TestUpstream b = upstream("b", bPort);
    tomcat =
        TomcatServer.create(
            new Distribution(Path.of(System.getProperty("tomcat11.home"))),
            BASES.resolve("tomcat11-several-targets"));
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            """
            routes:
              - path: /api/*
                targets: [{url: %s}, {url: %s}]
                health_check:
                  path: /healthz
                  interval: 200ms
                  timeout: 200ms
                  unhealthy_after: 2
                  healthy_after: 1
            """
                .formatted(a.url(), b.url()),
            StandardCharsets.UTF_8);
    tomcat.start(config);
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "ROOT.war").awaitStatus("/readyz", 200);

    for (int i = 0; i < 20; i++) {
      assertOk(tomcat.get("/api/x"));
    }
    assertEquals(10, served.get("b").get());
    b.stop(2);
    int bAtKill = served.get("b").get();
    for (int i = 0; i < 100; i++) {
      assertOk(tomcat.get("/api/x"));
    }
    assertEquals(bAtKill, served.get("b").get());

    upstream("b", bPort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (served.get("b").get() == bAtKill && System.nanoTime() < deadline) {
      assertOk(tomcat.get("/api/x"));
    }
    assertTrue(served.get("b").get() > bAtKill, "b gets traffic again once restarted");

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
