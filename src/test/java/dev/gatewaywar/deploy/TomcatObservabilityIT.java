package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access log, metrics and health endpoints on stock Tomcat distributions: the JSON access line
 * lands in Tomcat's console (catalina.out) next to Tomcat's own log lines, which keep their own
 * format; the webapp's Log4j context and Prometheus registry leave nothing behind on undeploy.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatObservabilityIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");
  private static final List<String> LEAK_WARNINGS =
      List.of("memory leak", "appears to have started a thread", "failed to stop it");

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(System.getProperty(p, "missing-" + p))));
  }

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "user from upstream"));
  }

  @AfterEach
  void killEverything() {
    servers.forEach(TomcatServer::close);
    upstream.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void accessLogGoesToTheConsoleBesideTomcatsOwnLogAndMetricsAreServed(Distribution distribution)
      throws Exception {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-observability"));
    servers.add(tomcat);
    tomcat.deploy(WAR, "ROOT.war");
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            """
            metrics:
              prometheus:
                enabled: true
            logging:
              format: json
            routes:
              - path: /users/:id
                target: %s
                middleware: [logging, metrics]
            """
                .formatted(upstream.url()),
            StandardCharsets.UTF_8);
    tomcat.start(config);

    assertEquals(200, tomcat.get("/users/42", "Authorization", "Bearer tok-secret").statusCode());
    // logging runs outside metrics: its line means the request is counted
    Map<String, Object> line = accessLine(tomcat, "/users/42");
    HttpResponse<String> metrics = tomcat.get("/metrics");
    assertEquals(200, metrics.statusCode(), metrics.body());
    assertEquals(
        1,
        PrometheusText.parse(metrics.body())
            .value(
                "gateway_requests_total",
                Map.of("method", "GET", "path", "/users/:id", "status", "200")));
    assertEquals(200, tomcat.get("/readyz").statusCode());

    assertEquals("/users/:id", line.get("route"));
    assertEquals(200, line.get("status"));
    String console = tomcat.console();
    assertTrue(
        console.lines().anyMatch(l -> l.contains("org.apache.catalina.startup.Catalina.start")),
        "Tomcat's own lines keep their format:\n" + console);
    assertFalse(console.contains("tok-secret"));

    tomcat.stop();
    String logs = tomcat.allLogs();
    for (String l : logs.split("\n")) {
      for (String warning : LEAK_WARNINGS) {
        assertFalse(l.contains(warning), () -> "leak reported on undeploy:\n" + l);
      }
    }
  }

  /** The console line for {@code path}, parsed; waits (bounded) for it to be written. */
  private static Map<String, Object> accessLine(TomcatServer tomcat, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (String l : tomcat.console().split("\n")) {
        if (l.startsWith("{") && l.contains("\"" + path + "\"")) {
          return JsonObjects.parse(l);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no access line for " + path + ":\n" + tomcat.console());
  }
}
