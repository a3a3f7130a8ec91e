package dev.gatewaywar.bodylimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The body_limit middleware in the gateway on an embedded Tomcat, in front of a real upstream that
 * counts the body bytes it received, also of a body the gateway cut.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BodyLimitGatewayTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  /** Body bytes each request to {@code /count} delivered, whether it ended or was cut. */
  private final BlockingQueue<Long> counted = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/count", this::count);
    upstream.handle("/count/early", this::answerThenCount);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        routes:
          - path: /count/*
            target: UPSTREAM
            middleware: [body_limit]
          - path: /small/*
            target: UPSTREAM
            middleware: [body_limit]
            body_limit:
              max: 10B
          - path: /open/*
            target: UPSTREAM
        """
            .replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  private void count(HttpExchange exchange) throws IOException {
    long n = 0;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[64 * 1024];
      for (int r; (r = in.read(buffer)) > 0; ) {
        n += r;
      }
    } catch (IOException cut) {
      counted.add(n);
      throw cut;
    }
    counted.add(n);
    TestUpstream.respond(exchange, 200, "got " + n);
  }

  /** Answers at once (a head and a first piece of a longer body), then reads the request body. */
  private void answerThenCount(HttpExchange exchange) throws IOException {
    exchange.sendResponseHeaders(200, 100_000);
    OutputStream out = exchange.getResponseBody();
    out.write("early".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    count(exchange);
  }

  private RawHttp.Response post(String path, String headers, String body) throws IOException {
    return RawHttp.send(
        gateway.port(),
        "POST " + path + " HTTP/1.1\nHost: gw\n" + headers + "Connection: close\n\n" + body);
  }

  @Test
  void declaredLengthOverMaxGets413BeforeTheUpstreamIsAsked() throws Exception {
    RawHttp.Response r = post("/small/x", "Content-Length: 11\n", "hello world");

    assertEquals(413, r.status());
    assertEquals("{\"error\":\"request body too large\"}", r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"));
    assertEquals("close", r.header("Connection"), "the unread body is not waited for");
    assertTrue(upstream.noRequestWithin(300), "no upstream was contacted");
  }

  @Test
  void declaredLengthAtMaxIsProxiedWhole() throws Exception {
    RawHttp.Response r = post("/small/x", "Content-Length: 10\n", "0123456789");

    assertEquals(200, r.status());
    assertEquals(10, upstream.nextRequest().bodyBytes());
  }

  @Test
  void chunkedBodyUnderMaxIsProxiedWhole() throws Exception {
    RawHttp.Response r =
        post("/small/x", "Transfer-Encoding: chunked\n", "5\nhello\n5\nworld\n0\n\n");

    assertEquals(200, r.status());
    assertEquals(10, upstream.nextRequest().bodyBytes());
  }

  @Test
  void chunkedBodyOverMaxGets413() throws Exception {
    RawHttp.Response r =
        post("/small/x", "Transfer-Encoding: chunked\n", "5\nhello\n6\nworld!\n0\n\n");

    assertEquals(413, r.status());
    assertEquals("{\"error\":\"request body too large\"}", r.body());
  }

  @Test
  void routeWithoutTheMiddlewareHasNoLimit() throws Exception {
    String body = "x".repeat(100);
    RawHttp.Response r = post("/open/x", "Content-Length: 100\n", body);

    assertEquals(200, r.status());
    assertEquals(100, upstream.nextRequest().bodyBytes());
  }

  /**
   * 200 MB sent chunked at a 1 MiB limit: the upstream gets no more than the limit, and the client
   * is answered 413 and cut off long before it has sent its body.
   */
  @Test
  void chunkedUploadPastMaxIsCutEarlyAndTheUpstreamGetsNoMoreThanMax() throws Exception {
    long total = 200L * 1000 * 1000;
    AtomicLong written = new AtomicLong();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /count/up HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      Thread writer = new Thread(() -> upload(out, total, written), "chunked-upload");
      writer.start();

      String answer = readUntilClosed(socket.getInputStream());
      writer.join(30_000);

      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.endsWith("{\"error\":\"request body too large\"}"), answer);
    }
    Long received = counted.poll(10, TimeUnit.SECONDS);
    assertNotNull(received, "the upstream saw the request begin");
    assertTrue(received <= MIB, "the upstream got " + received + " bytes, more than max");
    assertTrue(
        written.get() < 50L * 1000 * 1000,
        "the client was cut off early, not after " + written.get() + " bytes");
  }

  /**
   * The upstream answered before the body went past the limit: too late for a 413, so the client's
   * connection is cut after what it got, as for any failure mid-response.
   */
  @Test
  void chunkedUploadPastMaxAfterTheAnswerBeganCutsTheConnection() throws Exception {
    AtomicLong written = new AtomicLong();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /count/early HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("early")) {
        head.write(in.read()); // the answer began before the body went past max
      }
      Thread writer = new Thread(() -> upload(out, 200L * 1000 * 1000, written), "chunked-upload");
      writer.start();

      String answer = head.toString(StandardCharsets.ISO_8859_1) + readUntilClosed(in);
      writer.join(30_000);

      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      assertTrue(answer.endsWith("early"), "nothing after the cut: " + answer);
    }
    Long received = counted.poll(10, TimeUnit.SECONDS);
    assertNotNull(received);
    assertTrue(received <= MIB, "the upstream got " + received + " bytes, more than max");
  }

  /** Writes {@code total} bytes in 64 KiB chunks, until done or the gateway closes. */
  private static void upload(OutputStream out, long total, AtomicLong written) {
    byte[] data = new byte[64 * 1024];
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    try {
      while (written.get() < total) {
        out.write(head);
        out.write(data);
        out.write(crlf);
        written.addAndGet(data.length);
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException closed) {
      // the gateway answered and closed: what the test expects
    }
  }

  /** Everything the gateway sends until it closes (or resets) the connection. */
  private static String readUntilClosed(InputStream in) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (IOException reset) {
      // a close with the client's bytes unread is a reset: what came before it counts
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
