package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.RejectingMiddleware;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code logging} middleware on an embedded Tomcat: standard output and standard error are
 * captured before the gateway starts (the access log's console appender takes the stream it finds
 * then), and every access line is parsed as JSON.
 */
class AccessLogTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream realOut;
  private PrintStream realErr;

  @BeforeEach
  void captureAndStartUpstream() throws Exception {
    realOut = System.out;
    realErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "twelve bytes"));
  }

  @AfterEach
  void stopAndRestore() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
      upstream.close();
    } finally {
      System.setOut(realOut);
      System.setErr(realErr);
    }
  }

  private void start(String yaml) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, yaml.replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.withMiddleware(RejectingMiddleware.class), config, 0);
  }

  private int send(String method, String pathAndQuery, String body, String... headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return HTTP.send(r.build(), BodyHandlers.ofString()).statusCode();
  }

  /**
   * The access-log entries once there are {@code count} of them (the line is written after the
   * response is complete, so the client can be faster than the log); bounded to 10 s.
   */
  private List<Map<String, Object>> accessLines(int count) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    List<Map<String, Object>> lines = accessLines();
    while (lines.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      lines = accessLines();
    }
    return lines;
  }

  /** Lines of standard output that are access-log entries, parsed. */
  private List<Map<String, Object>> accessLines() throws Exception {
    return JsonObjects.accessLines(out.toString(StandardCharsets.UTF_8));
  }

  private static final String JSON_ROUTES =
      """
      logging:
        format: json
      routes:
        - path: /users/:id
          target: UPSTREAM
          middleware: [logging]
        - path: /private
          target: UPSTREAM
          middleware: [logging, reject]
        - path: /quiet
          target: UPSTREAM
        - path: /traced
          target: UPSTREAM
          middleware: [tracing, logging]
      """;

  @Test
  void aRequestMovedPastARefusingTargetLogsTheTargetThatAnsweredAndTheAttempts() throws Exception {
    int refusing;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      refusing = s.getLocalPort();
    }
    start(
        """
        logging:
          format: json
        routes:
          - path: /users/:id
            targets: [{url: "http://127.0.0.1:%d"}, {url: UPSTREAM}]
            middleware: [logging]
        """
            .formatted(refusing));
    assertEquals(200, send("GET", "/users/1", null));
    assertEquals(200, send("GET", "/users/2", null));
    List<Map<String, Object>> lines = accessLines(2);
    assertEquals(2, lines.size(), out::toString);
    assertEquals(upstream.url(), lines.get(0).get("upstream"));
    assertEquals(2, lines.get(0).get("attempts"), "refused by the first target, then moved");
    assertEquals(upstream.url(), lines.get(1).get("upstream"));
    assertEquals(1, lines.get(1).get("attempts"));
  }

  @Test
  void aRequestRetriedAfterA503LogsTheTargetThatAnsweredAndTwoAttempts() throws Exception {
    TestUpstream unavailable = TestUpstream.start();
    try {
      unavailable.handle("/users", e -> TestUpstream.reply(e, 503, "later"));
      start(
          """
          logging:
            format: json
          routes:
            - path: /users/:id
              targets: [{url: "%s"}, {url: UPSTREAM}]
              middleware: [logging]
              retry: {attempts: 2, when: [503]}
          """
              .formatted(unavailable.url()));
      assertEquals(200, send("GET", "/users/1", null));
      List<Map<String, Object>> lines = accessLines(1);
      assertEquals(1, lines.size(), out::toString);
      assertEquals(upstream.url(), lines.get(0).get("upstream"));
      assertEquals(200, lines.get(0).get("status"));
      assertEquals(2, lines.get(0).get("attempts"), "a 503 from the first target, then retried");
    } finally {
      unavailable.close();
    }
  }

  @Test
  void oneJsonLinePerRequestOnStandardOutputWithTheAgreedFields() throws Exception {
    start(JSON_ROUTES);

    assertEquals(200, send("POST", "/users/42", "hello"));

    List<Map<String, Object>> lines = accessLines(1);
    assertEquals(1, lines.size(), out::toString);
    Map<String, Object> line = lines.get(0);
    assertEquals("POST", line.get("method"));
    assertEquals("/users/42", line.get("path"));
    assertEquals("/users/:id", line.get("route"));
    assertEquals(200, line.get("status"));
    assertTrue(((Number) line.get("duration_ms")).doubleValue() > 0, line::toString);
    assertEquals(5, line.get("bytes_in"));
    assertEquals(12, line.get("bytes_out"));
    assertEquals("127.0.0.1", line.get("client"));
    assertEquals(upstream.url(), line.get("upstream"));
    assertEquals(1, line.get("attempts"));
    assertEquals("INFO", line.get("level"));
    assertTrue(
        ((String) line.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z"), line::toString);
    assertFalse(line.containsKey("trace_id"), "no tracing on this route");
    assertFalse(err.toString(StandardCharsets.UTF_8).contains("/users/42"), "nothing on stderr");
  }

  @Test
  void tracedRequestsCarryTheTraceAndSpanTheUpstreamSaw() throws Exception {
    start(JSON_ROUTES);

    send("GET", "/traced", null);

    Map<String, Object> line = accessLines(1).get(0);
    TestUpstream.Received got = upstream.nextRequest();
    String traceparent = got.header("traceparent");
    assertTrue(traceparent != null, () -> got.rawUri() + " " + got.headers().keySet() + err + out);
    assertEquals(
        "00-" + line.get("trace_id") + "-" + line.get("span_id"),
        traceparent.substring(0, traceparent.lastIndexOf('-')),
        line::toString);
    assertFalse(
        err.toString(StandardCharsets.UTF_8).contains((String) line.get("trace_id")),
        "a traced request writes nothing of its own to stderr");
  }

  @Test
  void rejectionsAreLoggedAtWarnWithTheirStatus() throws Exception {
    start(JSON_ROUTES);

    assertEquals(401, send("GET", "/private", null));

    Map<String, Object> line = accessLines(1).get(0);
    assertEquals(401, line.get("status"));
    assertEquals("WARN", line.get("level"));
  }

  @Test
  void routesWithoutLoggingWriteNothing() throws Exception {
    start(JSON_ROUTES);

    send("GET", "/quiet", null);
    send("GET", "/users/1", null);

    List<Map<String, Object>> lines = accessLines(1);
    assertEquals(1, lines.size(), out::toString);
    assertEquals("/users/1", lines.get(0).get("path"), "only the route with logging wrote");
  }

  @Test
  void noTokenOrQueryStringEverReachesTheLog() throws Exception {
    start(JSON_ROUTES);

    send(
        "GET",
        "/users/7?access_token=sekret-query-token",
        null,
        "Authorization",
        "Bearer sekret-header-token",
        "Cookie",
        "session=sekret-cookie");

    assertEquals(1, accessLines(1).size(), out::toString);
    String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertFalse(all.contains("sekret"), all);
  }

  @Test
  void levelAboveInfoKeepsOnlyFailures() throws Exception {
    start(JSON_ROUTES.replace("format: json", "format: json\n  level: warn"));

    send("GET", "/users/1", null);
    send("GET", "/private", null);
    send("GET", "/private", null);

    List<Map<String, Object>> lines = accessLines(2);
    assertEquals(2, lines.size(), out::toString);
    assertTrue(lines.stream().allMatch(l -> l.get("status").equals(401)), lines::toString);
  }

  @Test
  void textFormatIsOneReadableLine() throws Exception {
    start(JSON_ROUTES.replace("format: json", "format: text"));

    send("GET", "/users/9", null);

    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    List<String> lines = List.of();
    while (lines.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      lines =
          out.toString(StandardCharsets.UTF_8)
              .lines()
              .filter(l -> l.contains("\"GET /users/9\""))
              .toList();
    }
    assertEquals(1, lines.size(), out::toString);
    String line = lines.get(0);
    assertTrue(line.contains(" 200 12B "), line);
    assertTrue(line.contains("route=/users/:id"), line);
    assertFalse(line.contains("null"), line);
  }
}
