package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.OtlpReceiver;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tracing} middleware without the agent, on an embedded Tomcat: W3C trace context to a
 * real upstream, and spans exported over OTLP gRPC to a receiver in the test.
 */
class TracingTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @TempDir Path dir;
  private TestUpstream upstream;
  private OtlpReceiver receiver;
  private EmbeddedGateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    receiver = OtlpReceiver.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      upstream.close();
      receiver.close();
    }
  }

  private void gateway(boolean otelEnabled) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        otel:
          enabled: %s
          endpoint: %s
        routes:
          - path: /users/:id
            target: %s
            middleware: [tracing]
        """
            .formatted(otelEnabled, receiver.endpoint(), upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  private int get(String path, String... headers) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return HTTP.send(r.build(), BodyHandlers.ofString()).statusCode();
  }

  private static Matcher traceparent(String header) {
    assertNotNull(header, "the upstream got no traceparent");
    Matcher m = TRACEPARENT.matcher(header);
    assertTrue(m.matches(), header);
    return m;
  }

  private static String attribute(Span span, String key) {
    return span.getAttributesList().stream()
        .filter(a -> a.getKey().equals(key))
        .map(KeyValue::getValue)
        .map(v -> v.hasStringValue() ? v.getStringValue() : String.valueOf(v.getIntValue()))
        .findFirst()
        .orElse(null);
  }

  @Test
  void incomingTraceIsContinuedUpstreamAndTheNamedParentIsExported() throws Exception {
    gateway(true);

    assertEquals(
        200, get("/users/42", "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01"));

    Matcher sent = traceparent(upstream.nextRequest().header("traceparent"));
    assertEquals(CLIENT_TRACE, sent.group(1), "same trace");
    assertNotEquals(CLIENT_SPAN, sent.group(2), "the gateway's span is the upstream's parent");
    Span span = receiver.nextSpan(15);
    assertEquals(CLIENT_TRACE, OtlpReceiver.hex(span.getTraceId()));
    assertEquals(sent.group(2), OtlpReceiver.hex(span.getSpanId()), "the parent is exported");
    assertEquals(CLIENT_SPAN, OtlpReceiver.hex(span.getParentSpanId()));
    assertEquals("GET /users/:id", span.getName());
    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, span.getKind());
    assertEquals("/users/:id", attribute(span, "http.route"));
    assertEquals("200", attribute(span, "http.response.status_code"));
  }

  @Test
  void withoutIncomingContextANewTraceStarts() throws Exception {
    gateway(true);

    get("/users/1");

    Matcher sent = traceparent(upstream.nextRequest().header("traceparent"));
    Span span = receiver.nextSpan(15);
    assertEquals(sent.group(1), OtlpReceiver.hex(span.getTraceId()));
    assertTrue(span.getParentSpanId().isEmpty(), "a root span");
  }

  @Test
  void otelDisabledStillPropagatesTraceContext() throws Exception {
    gateway(false);

    get("/users/1", "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");

    assertEquals(CLIENT_TRACE, traceparent(upstream.nextRequest().header("traceparent")).group(1));
    assertNothingExported();
  }

  @Test
  void otelDisabledStillStartsATraceForTheUpstream() throws Exception {
    gateway(false);

    get("/users/1");

    traceparent(upstream.nextRequest().header("traceparent"));
    assertNothingExported();
  }

  /**
   * Stops the gateway, which exports whatever spans an enabled exporter still holds, then checks
   * the receiver was never called.
   */
  private void assertNothingExported() throws Exception {
    gateway.close();
    gateway = null;
    assertEquals(0, receiver.exports(), "spans were exported with otel disabled");
  }
}
