package dev.gatewaywar.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that send their request bodies slowly, or hold many requests to one upstream, against the
 * WAR on an embedded Tomcat (its connector's 200 platform request threads) and real upstreams on
 * loopback. Two client addresses come from loopback through {@code X-Forwarded-For}, loopback being
 * a trusted proxy here.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientsTest {
  /** More than the container's 200 request threads. */
  private static final int TRICKLERS = 205;

  private static TestUpstream upstream;
  private static TestUpstream heldUpstream;
  private static EarlyAnswers earlyAnswers;
  private static final CountDownLatch releaseHeld = new CountDownLatch(1);
  private static final CountDownLatch twoHeld = new CountDownLatch(2);

  @ArquillianResource private URL base;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    heldUpstream = TestUpstream.start();
    heldUpstream.handle(
        "/",
        e -> {
          TestUpstream.record(e);
          twoHeld.countDown();
          try {
            releaseHeld.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(e, 200, "held");
        });
    upstream.handle("/stalled/early", SlowClientsTest::answerBeforeTheBody);
    earlyAnswers = new EarlyAnswers();
    return GatewayArchive.withConfig(
        "ROOT.war",
        """
        server:
          trusted_proxies: [127.0.0.1/32]
        upstream:
          max_connections_per_client: 1
        routes:
          - path: /upload/*
            target: %1$s
          - path: /stalled/*
            target: %1$s
            timeouts:
              client_body: 300ms
          - path: /held/*
            target: %2$s
          - path: /early/*
            target: %3$s
          - path: /*
            target: %1$s
        """
            .formatted(upstream.url(), heldUpstream.url(), earlyAnswers.url()));
  }

  @AfterAll
  static void stopUpstreams() throws IOException {
    releaseHeld.countDown();
    upstream.close();
    heldUpstream.close();
    earlyAnswers.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + base.getPort() + path);
  }

  @Test
  void tricklingUploadsDoNotHoldTheRequestThreads() throws Exception {
    List<Socket> tricklers = new ArrayList<>();
    try {
      for (int i = 0; i < TRICKLERS; i++) {
        tricklers.add(startUpload("/upload/" + i, i));
      }

      // with a request thread per upload, all 200 would be reading bodies that never come
      assertAnotherRouteAnswers();
    } finally {
      for (Socket s : tricklers) {
        s.close();
      }
    }
  }

  @Test
  void tricklingUploadsAnsweredEarlyDoNotHoldTheRequestThreads() throws Exception {
    answeredTricklersLeaveTheThreadsFree("/early/", "HTTP/1.1 200");
  }

  /**
   * {@link #TRICKLERS} uploads under {@code prefix}, each answered ({@code head}) while its body is
   * still coming; then another route must still answer: the answers closed their connections,
   * rather than leave the container to read the rest of each body on a request thread.
   */
  private void answeredTricklersLeaveTheThreadsFree(String prefix, String head) throws Exception {
    List<Socket> tricklers = new ArrayList<>();
    try {
      for (int i = 0; i < TRICKLERS; i++) {
        Socket s = startUpload(prefix + i, i);
        tricklers.add(s);
        s.setSoTimeout(10_000);
        assertEquals(head, new String(s.getInputStream().readNBytes(head.length()), US_ASCII));
      }

      assertAnotherRouteAnswers();
    } finally {
      for (Socket s : tricklers) {
        s.close();
      }
    }
  }

  /** Sends a 1,000-byte upload's head and first byte, from client address number {@code i}. */
  private Socket startUpload(String path, int i) throws IOException {
    // each from its own address, so that none is over its share of the upstream's pool
    Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For: 10.9."
                + i / 256
                + "."
                + i % 256
                + "\r\nContent-Length: 1000\r\n\r\nx")
            .getBytes(US_ASCII));
    out.flush();
    return s;
  }

  private void assertAnotherRouteAnswers() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/other")).timeout(Duration.ofSeconds(10)).build(),
            BodyHandlers.ofString());

    assertEquals(200, r.statusCode());
    assertEquals("ok", r.body());
  }

  @Test
  void aBodyThatStopsComingGets408Json() throws Exception {
    RawHttp.Response r =
        RawHttp.send(
            base.getPort(),
            "POST /stalled/x HTTP/1.1\nHost: gw\nContent-Length: 100\n\nonly ten b");

    assertEquals(408, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("{\"error\":\"request timeout\"}", r.body());
    assertEquals("close", r.header("Connection"), "the rest of the body is not waited for");
  }

  @Test
  void aBodyStallingAfterTheAnswerBeganCutsTheConnection() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /stalled/early HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\nonly ten b"
              .getBytes(US_ASCII));
      out.flush();

      // the upstream's head and first bytes, then the cut: no 408 once the answer has begun, and
      // no waiting for the rest (a read timeout here fails the test)
      String got = new String(socket.getInputStream().readAllBytes(), US_ASCII);

      assertTrue(got.startsWith("HTTP/1.1 200"), got);
      assertTrue(got.endsWith("early"), "nothing after the cut: " + got);
    }
  }

  @Test
  void aBodyThatNeverStartsGets408Json() throws Exception {
    RawHttp.Response r =
        RawHttp.send(
            base.getPort(), "POST /stalled/x HTTP/1.1\nHost: gw\nTransfer-Encoding: chunked\n\n");

    assertEquals(408, r.status());
    assertEquals("{\"error\":\"request timeout\"}", r.body());
  }

  @Test
  void aClientOverItsShareOfAnUpstreamGets503WhileAnotherIsServed() throws Exception {
    CompletableFuture<HttpResponse<String>> first = get("/held/1", "203.0.113.1");
    CompletableFuture<HttpResponse<String>> other = get("/held/2", "203.0.113.2");
    assertTrue(twoHeld.await(10, TimeUnit.SECONDS), "both clients' first requests are upstream");

    HttpResponse<String> refused = get("/held/3", "203.0.113.1").get(10, TimeUnit.SECONDS);

    assertEquals(503, refused.statusCode());
    assertEquals("{\"error\":\"service unavailable\"}", refused.body());
    // refused mid-upload: answered and closed at once, the rest of its body never waited for
    RawHttp.Response uploading =
        RawHttp.send(
            base.getPort(),
            "POST /held/4 HTTP/1.1\nHost: gw\nX-Forwarded-For: 203.0.113.1\n"
                + "Content-Length: 1000\n\nx");
    assertEquals(503, uploading.status());
    assertEquals("close", uploading.header("Connection"));
    assertEquals(
        200,
        get("/fast", "203.0.113.1").get(10, TimeUnit.SECONDS).statusCode(),
        "the same client at another upstream is unaffected");
    releaseHeld.countDown();
    assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(200, other.get(10, TimeUnit.SECONDS).statusCode());
  }

  /**
   * An upstream that answers every request as soon as its head has arrived, reading none of its
   * body, and keeps the connection open: one thread, connections served in turn.
   */
  private static final class EarlyAnswers implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    EarlyAnswers() throws IOException {
      server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::serve, "early-answers");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
      byte[] answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly".getBytes(US_ASCII);
      try {
        while (true) {
          Socket s = server.accept();
          accepted.add(s);
          InputStream in = s.getInputStream();
          for (int matched = 0; matched < 4; ) { // up to the head's blank line
            int b = in.read();
            if (b < 0) {
              break;
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
          }
          s.getOutputStream().write(answer);
          s.getOutputStream().flush();
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /** Answers at once, before reading the body: a 100,000-byte answer, five bytes of it sent. */
  private static void answerBeforeTheBody(com.sun.net.httpserver.HttpExchange e)
      throws IOException {
    e.sendResponseHeaders(200, 100_000);
    OutputStream out = e.getResponseBody();
    out.write("early".getBytes(US_ASCII));
    out.flush();
    e.getRequestBody().readAllBytes(); // until the gateway gives up on the client's body
  }

  private CompletableFuture<HttpResponse<String>> get(String path, String client) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(path)).header("X-Forwarded-For", client).build(),
        BodyHandlers.ofString());
  }
}
