package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * api_key and body_limit on a stock WildFly (Undertow's non-blocking input, not Tomcat's): keys are
 * checked and never forwarded, and a chunked upload past the limit is answered 413 with the
 * upstream having received no more than the limit.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlyShapingIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final String KEY = "wildfly-key-0123456789";
  private static final int MAX = 64 * 1024;

  private static TestUpstream upstream;
  private static WildFlyServer wildfly;
  private static final BlockingQueue<Long> counted = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/limited", WildFlyShapingIT::count);
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-shaping"));
    String digest =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"),
            """
            api_key:
              keys: [{name: mobile-app, sha256: DIGEST}]
            body_limit:
              max: 64KiB
            routes:
              - path: /keyed/*
                target: UPSTREAM
                middleware: [api_key]
              - path: /limited/*
                target: UPSTREAM
                middleware: [body_limit]
            """
                .replace("DIGEST", digest)
                .replace("UPSTREAM", upstream.url()),
            StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=gateway.war").assertSucceeded();
  }

  @AfterAll
  static void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    upstream.close();
  }

  private static void count(HttpExchange exchange) throws IOException {
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

  private static RawHttp.Response send(String request) throws IOException {
    return RawHttp.send(wildfly.httpPort(), request);
  }

  @Test
  void apiKeyIsCheckedAndNeverForwarded() throws Exception {
    RawHttp.Response ok =
        send(
            "GET /gateway/keyed/x HTTP/1.1\nHost: gw\nX-API-Key: "
                + KEY
                + "\nX-Consumer: admin\nConnection: close\n\n");
    assertEquals(200, ok.status(), ok.body());
    TestUpstream.Received got = upstream.nextRequest();
    assertEquals("mobile-app", got.header("X-Consumer"));
    assertNull(got.header("X-API-Key"));

    RawHttp.Response refused =
        send("GET /gateway/keyed/x HTTP/1.1\nHost: gw\nX-API-Key: nope\nConnection: close\n\n");
    assertEquals(401, refused.status());
    assertEquals("{\"error\":\"invalid api key\"}", refused.body());
  }

  @Test
  void declaredLengthOverMaxGets413() throws Exception {
    RawHttp.Response r =
        send(
            "POST /gateway/limited/x HTTP/1.1\nHost: gw\nContent-Length: "
                + (MAX + 1)
                + "\nConnection: close\n\n");
    assertEquals(413, r.status());
    assertEquals("{\"error\":\"request body too large\"}", r.body());
  }

  @Test
  void chunkedUploadPastMaxGets413AndTheUpstreamNoMoreThanMax() throws Exception {
    counted.clear();
    String answer;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), wildfly.httpPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /gateway/limited/up HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
      Thread writer = new Thread(() -> upload(out), "chunked-upload");
      writer.start();
      answer = readUntilClosed(socket.getInputStream());
      writer.join(30_000);
    }
    assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
    assertTrue(answer.endsWith("{\"error\":\"request body too large\"}"), answer);
    // a body past the limit before the upstream connection was made never reaches the upstream
    Long received = counted.poll(2, TimeUnit.SECONDS);
    assertTrue(received == null || received <= MAX, "the upstream got " + received + " bytes");
  }

  /** 20 MB in 16 KiB chunks, until done or the server closes. */
  private static void upload(OutputStream out) {
    byte[] data = new byte[16 * 1024];
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    try {
      for (long sent = 0; sent < 20_000_000; sent += data.length) {
        out.write(head);
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException closed) {
      // answered and closed: expected
    }
  }

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
