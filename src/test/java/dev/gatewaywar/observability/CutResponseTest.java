package dev.gatewaywar.observability;

import static dev.gatewaywar.testing.RawUpstream.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RawUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response the client did not get whole is logged and counted as such: the status its head
 * carried, plus who cut it ({@code cut} in the access log, {@code gateway_responses_cut_total}); a
 * head the gateway refused is the 502 the client got, in both.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CutResponseTest {
  private static final String BODY_START = "first bytes";

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream realOut;
  private RawUpstream upstream;
  private EmbeddedGateway gateway;
  private final CountDownLatch clientGotFirstBytes = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    realOut = System.out;
    // before the gateway starts: the access log's console appender takes the stream it finds
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    upstream = RawUpstream.start(this::answer);
    gateway = gateway("json");
  }

  private EmbeddedGateway gateway(String format) throws Exception {
    return gateway(format, "");
  }

  private EmbeddedGateway gateway(String format, String more) throws Exception {
    Path config = dir.resolve("gateway-" + format + ".yaml");
    Files.writeString(
        config,
        more
            + """
        logging:
          format: %s
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /*
            target: %s
            middleware: [logging, metrics]
        """
                .formatted(format, upstream.url()));
    return EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      clientGotFirstBytes.countDown();
      gateway.close();
      upstream.close();
    } finally {
      System.setOut(realOut);
    }
  }

  private void answer(String requestLine, OutputStream to) throws IOException {
    switch (requestLine.split(" ")[1]) {
      case "/dies-mid-body" -> {
        to.write(crlf("HTTP/1.1 200 OK\nContent-Length: 100000\n\n" + BODY_START));
        to.flush();
        await(clientGotFirstBytes); // then the connection closes: the upstream is gone
      }
      case "/endless" -> {
        to.write(crlf("HTTP/1.1 200 OK\nContent-Length: 1000000000\n\n"));
        byte[] piece = new byte[64 * 1024];
        for (; ; ) {
          to.write(piece); // until the gateway drops the connection
        }
      }
      case "/flood" -> {
        to.write(crlf("HTTP/1.1 200 OK\n"));
        for (int i = 0; ; i++) {
          to.write(crlf("X-Flood-" + i + ": flood\n"));
        }
      }
      case "/head-over-container" -> {
        // within the gateway's limits, over the 8 KiB of head Tomcat's connector sends by default
        to.write(crlf("HTTP/1.1 200 OK\nConnection: close\n"));
        for (int i = 0; i < 20; i++) {
          to.write(crlf("X-Large-" + i + ": " + "v".repeat(1_000) + "\n"));
        }
        to.write(crlf("Transfer-Encoding: chunked\n\n5\nhello\n0\n\n"));
      }
      default -> to.write(crlf("HTTP/1.1 200 OK\nConnection: close\nContent-Length: 5\n\nhello"));
    }
  }

  @Test
  void upstreamDyingMidBodyIsLoggedAndCountedAsCutByTheUpstream() throws Exception {
    try (Socket client = client("/dies-mid-body")) {
      readUntil(client.getInputStream(), BODY_START);
      clientGotFirstBytes.countDown();
      client.getInputStream().readAllBytes(); // the gateway cuts the client's connection
    }

    Map<String, Object> line = accessLine();
    assertEquals(200, line.get("status"), "the status the client's head carried");
    assertEquals("upstream", line.get("cut"), line::toString);
    assertEquals("ERROR", line.get("level"), "a cut answer stands out whatever its status");
    PrometheusText metrics = metrics();
    assertEquals(1.0, metrics.value("gateway_responses_cut_total", cut("upstream")));
    assertEquals(1.0, metrics.value("gateway_requests_total", requests("200")));
  }

  @Test
  void textFormatSaysWhoCutAtTheEndOfTheLine() throws Exception {
    gateway.close();
    gateway = gateway("text");
    try (Socket client = client("/dies-mid-body")) {
      readUntil(client.getInputStream(), BODY_START);
      clientGotFirstBytes.countDown();
      client.getInputStream().readAllBytes();
    }

    List<String> lines = List.of();
    while (lines.isEmpty()) {
      Thread.sleep(20);
      lines =
          out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" 200 ")).toList();
    }
    assertTrue(lines.get(0).endsWith(" cut=upstream"), lines::toString);
  }

  @Test
  void clientLeavingMidBodyIsLoggedAndCountedAsCutByTheClient() throws Exception {
    try (Socket client = client("/endless")) {
      readUntil(client.getInputStream(), "\r\n\r\n");
      client.setSoLinger(true, 0); // a reset, as a client that crashed would leave
    }

    Map<String, Object> line = accessLine();
    assertEquals(200, line.get("status"));
    assertEquals("client", line.get("cut"), line::toString);
    assertEquals(1.0, metrics().value("gateway_responses_cut_total", cut("client")));
  }

  @Test
  void headOverTheLimitsIsLoggedAndCountedAsThe502TheClientGot() throws Exception {
    RawHttp.Response r =
        RawHttp.send(gateway.port(), "GET /flood HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(502, r.status());

    Map<String, Object> line = accessLine();
    assertEquals(502, line.get("status"), line::toString);
    assertFalse(line.containsKey("cut"), line::toString);
    PrometheusText metrics = metrics();
    assertEquals(1.0, metrics.value("gateway_requests_total", requests("502")));
    assertTrue(metrics.samples("gateway_responses_cut_total", Map.of()).isEmpty());
  }

  /**
   * Before, the container's refusal came after the response was recorded as a complete 200, and a
   * chunked answer left the client waiting for the body until its own timeout.
   */
  @Test
  void headTheContainerCannotSendIsA502CutByTheUpstream() throws Exception {
    gateway.close();
    // the gateway's own limit raised past what the connector sends, as an operator might
    gateway = gateway("json", "upstream:\n  max_response_head_size: 64KiB\n");
    try (Socket client = client("/head-over-container")) {
      assertEquals(0, client.getInputStream().readAllBytes().length, "nothing can be answered");
    }

    Map<String, Object> line = accessLine();
    assertEquals(502, line.get("status"), line::toString);
    assertEquals("upstream", line.get("cut"), line::toString);
    assertEquals(1.0, metrics().value("gateway_responses_cut_total", cut("upstream")));
  }

  /** By default the gateway's limit is the connector's, so the same head is a clean 502. */
  @Test
  void headOverTheDefaultLimitIsACleanJson502() throws Exception {
    RawHttp.Response r =
        RawHttp.send(
            gateway.port(), "GET /head-over-container HTTP/1.1\nHost: gw\nConnection: close\n\n");

    assertEquals(502, r.status());
    assertEquals("{\"error\":\"bad gateway\"}", r.body());
    assertFalse(accessLine().containsKey("cut"));
  }

  @Test
  void completeAnswerHasNoCutField() throws Exception {
    RawHttp.Response r =
        RawHttp.send(gateway.port(), "GET /fine HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals("hello", r.body());

    assertFalse(accessLine().containsKey("cut"));
  }

  private static Map<String, String> cut(String by) {
    return Map.of("path", "/*", "by", by);
  }

  private static Map<String, String> requests(String status) {
    return Map.of("method", "GET", "path", "/*", "status", status);
  }

  private Socket client(String path) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port());
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(crlf("GET " + path + " HTTP/1.1\nHost: gw\n\n"));
    socket.getOutputStream().flush();
    return socket;
  }

  private static void readUntil(InputStream in, String end) throws IOException {
    StringBuilder got = new StringBuilder();
    while (!got.toString().endsWith(end)) {
      int b = in.read();
      assertTrue(b >= 0, () -> "closed before '" + end + "': " + got);
      got.append((char) b);
    }
  }

  private PrometheusText metrics() throws IOException {
    return PrometheusText.parse(
        RawHttp.send(gateway.port(), "GET /metrics HTTP/1.1\nHost: gw\nConnection: close\n\n")
            .body());
  }

  /**
   * The one access-log entry, once written: it is written when the response ends, which the client
   * may see first; bounded by the test's timeout.
   */
  private Map<String, Object> accessLine() throws Exception {
    List<Map<String, Object>> lines = accessLines();
    while (lines.isEmpty()) {
      Thread.sleep(20);
      lines = accessLines();
    }
    assertEquals(1, lines.size(), lines::toString);
    return lines.get(0);
  }

  private List<Map<String, Object>> accessLines() throws Exception {
    return JsonObjects.accessLines(out.toString(StandardCharsets.UTF_8));
  }

  private static void await(CountDownLatch latch) throws IOException {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new IOException("the client never read the first bytes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
