package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.OtlpReceiver;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import io.opentelemetry.proto.trace.v1.Span;
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

  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;
  private OtlpReceiver receiver;

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(System.getProperty(p, "missing-" + p))));
  }

  @BeforeEach
  void startUpstream() throws Exception {
    receiver = OtlpReceiver.start();
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "user from upstream"));
  }

  @AfterEach
  void killEverything() {
    servers.forEach(TomcatServer::close);
    upstream.close();
    try {
      receiver.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
            otel:
              enabled: true
              endpoint: %s
            routes:
              - path: /users/:id
                target: %s
                middleware: [tracing, logging, metrics]
            """
                .formatted(receiver.endpoint(), upstream.url()),
            StandardCharsets.UTF_8);
    tomcat.start(config);

    assertEquals(
        200,
        tomcat
            .get(
                "/users/42",
                "Authorization",
                "Bearer tok-secret",
                "traceparent",
                CLIENT_TRACEPARENT)
            .statusCode());
    String upstreamTraceparent = upstream.nextRequest().header("traceparent");
    assertTrue(upstreamTraceparent.startsWith("00-" + CLIENT_TRACE + "-"), upstreamTraceparent);
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
    assertEquals(CLIENT_TRACE, line.get("trace_id"));
    Span span = receiver.nextSpan(30);
    assertEquals("GET /users/:id", span.getName());
    assertEquals(upstreamTraceparent.substring(36, 52), OtlpReceiver.hex(span.getSpanId()));
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

  /**
   * The OpenTelemetry Java agent attached to Tomcat 11 running the WAR, exporting to the in-test
   * receiver: the agent's server span carries the route the gateway matched, its client span is the
   * parent the upstream sees, and the client's trace continues throughout.
   */
  @org.junit.jupiter.api.Test
  void javaAgentExportsServerSpanWithTheRouteAndClientSpanTheUpstreamSees() throws Exception {
    Path agent =
        Path.of(System.getProperty("otel.agent", "target/otel-agent/opentelemetry-javaagent.jar"));
    Distribution tomcat11 =
        new Distribution(Path.of(System.getProperty("tomcat11.home", "missing")));
    // deploy/tomcat/setenv.sh attaches the agent and sets -Dgateway.config, as in production
    TomcatServer tomcat =
        TomcatServer.create(tomcat11, BASES.resolve(tomcat11 + "-otel-agent"))
            .withEnvironment("OTEL_JAVAAGENT_JAR", agent.toString())
            .withEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
            .withEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "http://" + receiver.endpoint())
            .withEnvironment("OTEL_METRICS_EXPORTER", "none")
            .withEnvironment("OTEL_LOGS_EXPORTER", "none")
            .withEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200");
    servers.add(tomcat);
    Files.createDirectories(tomcat.base().resolve("bin"));
    Files.copy(Path.of("deploy/tomcat/setenv.sh"), tomcat.base().resolve("bin/setenv.sh"));
    tomcat.deploy(WAR, "ROOT.war");
    Path config =
        Files.writeString(
            tomcat.base().resolve("conf/gateway.yaml"), // setenv.sh's default place
            """
            logging:
              format: json
            routes:
              - path: /users/:id
                target: %s
                middleware: [tracing, logging]
            """
                .formatted(upstream.url()),
            StandardCharsets.UTF_8);
    tomcat.start();
    String console = tomcat.console();
    assertTrue(console.contains("Command line argument: -javaagent:" + agent), "setenv.sh's agent");
    assertTrue(
        console.contains("Command line argument: -Dgateway.config=" + config),
        "setenv.sh's config");
    assertTrue(
        console.contains("from " + config + " (system property gateway.config)"),
        "the gateway read the file setenv.sh named:\n" + console);

    assertEquals(200, tomcat.get("/users/7", "traceparent", CLIENT_TRACEPARENT).statusCode());

    String sent = upstream.nextRequest().header("traceparent");
    assertTrue(sent.startsWith("00-" + CLIENT_TRACE + "-"), sent);
    String upstreamParent = sent.substring(36, 52);
    Span server = null;
    Span client = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((server == null || client == null) && System.nanoTime() < deadline) {
      Span s = receiver.nextSpan(60);
      if (!OtlpReceiver.hex(s.getTraceId()).equals(CLIENT_TRACE)) {
        continue; // Tomcat's own start-up requests, if the agent traced any
      }
      if (s.getKind() == Span.SpanKind.SPAN_KIND_SERVER) {
        server = s;
      } else if (s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT) {
        client = s;
      }
    }
    assertTrue(server != null && client != null, "server and client spans of the client's trace");
    assertEquals("GET /users/:id", server.getName());
    assertEquals(
        "/users/:id",
        server.getAttributesList().stream()
            .filter(a -> a.getKey().equals("http.route"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no http.route"))
            .getValue()
            .getStringValue());
    assertEquals(upstreamParent, OtlpReceiver.hex(client.getSpanId()), "the upstream's parent");
    assertEquals(
        OtlpReceiver.hex(server.getSpanId()),
        OtlpReceiver.hex(client.getParentSpanId()),
        "one trace: server span, then client span");
    Map<String, Object> line = accessLine(tomcat, "/users/7");
    assertEquals(CLIENT_TRACE, line.get("trace_id"), "the access line leads to the agent's trace");
    assertEquals(OtlpReceiver.hex(server.getSpanId()), line.get("span_id"));
  }

  /**
   * {@code logging.sink: jul} on Tomcat 11 with the JULI set-up docs/observability.md gives: a file
   * handler of its own with {@code VerbatimFormatter} for logger {@code dev.gatewaywar.access} in
   * conf/logging.properties. The file gets pure JSON lines, one per request; the console none.
   */
  @org.junit.jupiter.api.Test
  void julSinkWritesPureJsonLinesThroughAJuliFileHandler() throws Exception {
    Distribution tomcat11 =
        new Distribution(Path.of(System.getProperty("tomcat11.home", "missing")));
    TomcatServer tomcat = TomcatServer.create(tomcat11, BASES.resolve(tomcat11 + "-jul-sink"));
    servers.add(tomcat);
    Path logging = tomcat.base().resolve("conf/logging.properties");
    String properties = Files.readString(logging, StandardCharsets.UTF_8);
    Files.writeString(
        logging,
        properties.replaceFirst(
                "(?m)^handlers = ", "handlers = 5gateway.org.apache.juli.AsyncFileHandler, ")
            + """

            5gateway.org.apache.juli.AsyncFileHandler.level = INFO
            5gateway.org.apache.juli.AsyncFileHandler.directory = ${catalina.base}/logs
            5gateway.org.apache.juli.AsyncFileHandler.prefix = gateway-access.
            5gateway.org.apache.juli.AsyncFileHandler.formatter = org.apache.juli.VerbatimFormatter
            dev.gatewaywar.access.level = INFO
            dev.gatewaywar.access.handlers = 5gateway.org.apache.juli.AsyncFileHandler
            dev.gatewaywar.access.useParentHandlers = false
            """,
        StandardCharsets.UTF_8);
    tomcat.deploy(WAR, "ROOT.war");
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            """
            logging:
              sink: jul
            routes:
              - path: /users/:id
                target: %s
                middleware: [logging]
            """
                .formatted(upstream.url()),
            StandardCharsets.UTF_8);
    tomcat.start(config);
    for (int i = 1; i <= 3; i++) {
      assertEquals(200, tomcat.get("/users/" + i).statusCode());
    }

    List<String> lines = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lines.size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      lines = gatewayAccessFileLines(tomcat.base().resolve("logs"));
    }
    assertEquals(3, lines.size(), lines::toString);
    for (int i = 0; i < 3; i++) {
      Map<String, Object> line = JsonObjects.parse(lines.get(i));
      assertEquals("/users/" + (i + 1), line.get("path"), lines.get(i));
      assertEquals(200, line.get("status"));
    }
    assertFalse(tomcat.console().contains("\"/users/1\""), tomcat.console());
  }

  /** The lines of logs/gateway-access.DATE.log (empty until JULI has written the file). */
  private static List<String> gatewayAccessFileLines(Path logs) throws Exception {
    try (Stream<Path> files = Files.list(logs)) {
      List<Path> access =
          files.filter(f -> f.getFileName().toString().startsWith("gateway-access.")).toList();
      List<String> lines = new ArrayList<>();
      for (Path f : access) {
        Files.readAllLines(f, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank())
            .forEach(lines::add);
      }
      return lines;
    }
  }

  /** The console line for {@code path}, parsed; waits (bounded) for it to be written. */
  static Map<String, Object> accessLine(TomcatServer tomcat, String path) throws Exception {
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
