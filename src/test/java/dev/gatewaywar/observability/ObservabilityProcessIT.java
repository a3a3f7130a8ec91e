package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built WAR run as {@code java -jar}, as an operator runs it: the access log is read from the
 * process's standard output (standard error kept apart), and the metrics from its endpoint.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ObservabilityProcessIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private TestUpstream upstream;
  private GatewayProcess gateway;
  private int port;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/orders", e -> TestUpstream.reply(e, 201, "created"));
    port = FreePortForArquillian.freePort();
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        server:
          port: %d
        metrics:
          prometheus:
            enabled: true
          allow: [127.0.0.1/32]
        logging:
          format: json
        routes:
          - path: /orders/:id
            target: %s
            middleware: [logging, metrics]
        """
            .formatted(port, upstream.url()));
    gateway =
        GatewayProcess.startSeparatingStderr(
            List.of("-Xmx128m"), port, "--config", config.toString());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      upstream.close();
    }
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.ofString("{\"qty\":3}"))
            .header("Authorization", "Bearer eyJ-not-to-be-logged")
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits (bounded) for the access line of {@code path} on standard output and parses it. */
  private Map<String, Object> accessLine(String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (String line : gateway.output().split("\n")) {
        if (line.startsWith("{") && line.contains("\"" + path + "\"")) {
          return JsonObjects.parse(line);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no access line for " + path + " on stdout:\n" + gateway.output() + gateway.errorOutput());
  }

  @Test
  void accessLogLineIsJsonOnStandardOutputAndNeverOnStandardError() throws Exception {
    assertEquals(201, send("PUT", "/orders/17?sig=secret-query").statusCode());

    Map<String, Object> line = accessLine("/orders/17");

    assertEquals("PUT", line.get("method"));
    assertEquals("/orders/:id", line.get("route"));
    assertEquals(201, line.get("status"));
    assertEquals(9, line.get("bytes_in"));
    assertEquals(7, line.get("bytes_out"));
    assertEquals("127.0.0.1", line.get("client"));
    assertTrue(line.get("duration_ms") instanceof Number, line::toString);
    assertTrue(line.containsKey("time"), line::toString);
    String everything = gateway.output() + gateway.errorOutput();
    assertFalse(gateway.errorOutput().contains("/orders/17"), "access log on stderr");
    assertFalse(everything.contains("eyJ-not-to-be-logged"), "token logged");
    assertFalse(everything.contains("secret-query"), "query string logged");
  }

  @Test
  void metricsEndpointCountsTheRoutePattern() throws Exception {
    send("PUT", "/orders/1");
    send("PUT", "/orders/2");

    accessLine("/orders/2"); // written after the metrics filter recorded it: both are counted
    HttpResponse<String> r = send("GET", "/metrics");

    assertEquals(200, r.statusCode(), r.body());
    PrometheusText m = PrometheusText.parse(r.body());
    assertEquals(
        2,
        m.value(
            "gateway_requests_total",
            Map.of("method", "PUT", "path", "/orders/:id", "status", "201")));
    assertEquals(200, send("GET", "/healthz").statusCode());
  }
}
