package dev.gatewaywar.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.HoldAfterChainMiddleware;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TestUpstream.Received;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy as docs/configuration.md describes it (What the upstream receives; Errors the gateway
 * answers itself) and docs/security.md (Path handling; Headers the gateway owns), with the WAR
 * deployed on an embedded Tomcat and a real upstream on loopback.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyServletTest {
  private static TestUpstream upstream;
  private static final CountDownLatch secondEventMayGo = new CountDownLatch(1);
  private static final CountDownLatch endlessBodyStopped = new CountDownLatch(1);
  private static final CountDownLatch uploadCutShort = new CountDownLatch(1);
  private static final CountDownLatch clientGotFirstBytes = new CountDownLatch(1);

  @ArquillianResource private URL base;

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    upstream.handle("/slow", e -> sleepThenReply(e, 2_000));
    upstream.handle("/status", ProxyServletTest::teapot);
    upstream.handle("/redirect", ProxyServletTest::redirect);
    upstream.handle("/events", ProxyServletTest::events);
    upstream.handle("/endless", ProxyServletTest::endless);
    upstream.handle("/half-upload", ProxyServletTest::halfUpload);
    upstream.handle("/broken-length", failMidBody(clientGotFirstBytes));
    upstream.handle("/held/broken-length", failMidBody(new CountDownLatch(0)));
    int closedPort = FreePortForArquillian.freePort();
    return GatewayArchive.withConfig(
            "ROOT.war",
            """
        routes:
          - path: /*
            target: %1$s
          - path: /held/*
            target: %1$s
            middleware: [hold-after-chain]
          - path: /kept-host/*
            target: %1$s
            preserve_host: true
          - path: /slow/*
            target: %1$s
            timeouts:
              read: 300ms
          - path: /down/*
            target: http://127.0.0.1:%2$d
          - path: /users/:id
            methods: [GET, PUT]
            target: %1$s
          - path: /admin
            methods: [GET]
            target: %1$s
          - path: /public/*
            target: %1$s
        """
                .formatted(upstream.url(), closedPort))
        .addAsLibrary(
            ShrinkWrap.create(JavaArchive.class, "test-middleware.jar")
                .addClass(HoldAfterChainMiddleware.class)
                .addAsServiceProvider(Middleware.class, HoldAfterChainMiddleware.class));
  }

  @AfterAll
  static void stopUpstream() {
    secondEventMayGo.countDown();
    clientGotFirstBytes.countDown();
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.clear();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + base.getPort() + pathAndQuery);
  }

  private int port() {
    return base.getPort();
  }

  @Test
  void pathAndQueryReachTheUpstreamByteForByte() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/echo/a%3Ab%20c?x=%2F&y=1&z")).build(),
            BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("ok", r.body());
    assertEquals("/echo/a%3Ab%20c?x=%2F&y=1&z", upstream.nextRequest().rawUri());
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"})
  void everyMethodIsForwardedUnchanged(String method) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/m")).method(method, BodyPublishers.noBody()).build(),
            BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals(method.equals("HEAD") ? "" : "ok", r.body());
    assertEquals(method, upstream.nextRequest().method());
  }

  @Test
  void bodyAndEndToEndHeadersArriveUnchanged() throws Exception {
    byte[] body = "{\"name\":\"Carol\"}".getBytes(UTF_8);
    http.send(
        HttpRequest.newBuilder(uri("/users/7"))
            .PUT(BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("X-Custom", "one")
            .header("Accept", "application/json")
            .build(),
        BodyHandlers.ofString());
    Received got = upstream.nextRequest();
    assertEquals("PUT", got.method());
    assertEquals(body.length, got.bodyBytes());
    assertEquals(
        String.valueOf(body.length), got.header("Content-Length"), "length kept, not re-chunked");
    assertNull(got.header("Transfer-Encoding"));
    assertEquals("application/json; charset=utf-8", got.header("Content-Type"));
    assertEquals("one", got.header("X-Custom"));
    assertEquals("application/json", got.header("Accept"));
    assertTrue(
        got.header("User-Agent").startsWith("Java-http-client"),
        "the client's User-Agent, not the proxy library's: " + got.header("User-Agent"));
  }

  @Test
  void emptyPostKeepsItsZeroContentLength() throws Exception {
    RawHttp.send(
        port(), "POST /empty HTTP/1.1\nHost: gw\nContent-Length: 0\nConnection: close\n\n");
    Received got = upstream.nextRequest();
    assertEquals("0", got.header("Content-Length"));
    assertEquals(0, got.bodyBytes());
  }

  @Test
  void bodyOfUnknownLengthIsStreamedChunked() throws Exception {
    byte[] body = new byte[300_000];
    http.send(
        HttpRequest.newBuilder(uri("/upload"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build(),
        BodyHandlers.ofString());
    Received got = upstream.nextRequest();
    assertEquals(300_000, got.bodyBytes());
    assertEquals("chunked", got.header("Transfer-Encoding"));
  }

  @Test
  void hopByHopRequestHeadersAreDropped() throws Exception {
    RawHttp.send(
        port(),
        """
        GET /hop HTTP/1.1
        Host: gw.example
        Connection: close, X-Secret
        X-Secret: do-not-forward
        Keep-Alive: timeout=5
        TE: trailers
        Proxy-Authorization: Basic Zm9vOmJhcg==
        Upgrade: websocket
        X-Kept: yes

        """);
    Received got = upstream.nextRequest();
    assertEquals("yes", got.header("X-Kept"));
    for (String name : List.of("X-Secret", "Keep-Alive", "TE", "Proxy-Authorization", "Upgrade")) {
      assertNull(got.header(name), name + " must not be forwarded");
    }
    assertFalse(got.headerValues("Connection").stream().anyMatch(v -> v.contains("X-Secret")));
  }

  @Test
  void forwardedHeadersDescribeTheClientHop() throws Exception {
    RawHttp.send(
        port(),
        """
        GET /fwd HTTP/1.1
        Host: gw.example:8443
        X-Forwarded-For: 203.0.113.9
        X-Forwarded-Proto: https
        X-Forwarded-Host: forged.example
        Connection: close

        """);
    Received got = upstream.nextRequest();
    assertEquals("203.0.113.9, 127.0.0.1", got.header("X-Forwarded-For"));
    assertEquals("http", got.header("X-Forwarded-Proto"));
    assertEquals("gw.example:8443", got.header("X-Forwarded-Host"));
    assertEquals(
        "127.0.0.1:" + upstream.port(), got.header("Host"), "Host is the target's by default");
  }

  @Test
  void connectionTokensCannotRemoveTheForwardedHeaders() throws Exception {
    RawHttp.send(
        port(),
        """
        GET /fwd HTTP/1.1
        Host: gw.example
        X-Forwarded-For: 203.0.113.9
        Connection: close, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host

        """);
    Received got = upstream.nextRequest();
    assertEquals("203.0.113.9, 127.0.0.1", got.header("X-Forwarded-For"));
    assertEquals("http", got.header("X-Forwarded-Proto"));
    assertEquals("gw.example", got.header("X-Forwarded-Host"));
  }

  @Test
  void headersWithUnderscoresAreDroppedByDefault() throws Exception {
    RawHttp.send(
        port(),
        """
        GET /underscores HTTP/1.1
        Host: gw.example
        X_Forwarded_For: 198.51.100.1
        X_Custom: shadow
        X-Custom: kept
        Connection: close

        """);
    Received got = upstream.nextRequest();
    assertEquals(List.of("kept"), got.headerValues("X-Custom"));
    assertEquals(List.of(), got.headerValues("X_Custom"));
    assertEquals(List.of(), got.headerValues("X_Forwarded_For"));
    assertEquals("127.0.0.1", got.header("X-Forwarded-For"));
  }

  @Test
  void connectionTokenCannotTakeTheHostOfAPreserveHostRoute() throws Exception {
    RawHttp.send(
        port(), "GET /kept-host/x HTTP/1.1\nHost: gw.example\nConnection: close, Host\n\n");
    assertEquals("gw.example", upstream.nextRequest().header("Host"));
  }

  @Test
  void preserveHostSendsTheClientsHost() throws Exception {
    RawHttp.send(port(), "GET /kept-host/x HTTP/1.1\nHost: gw.example\nConnection: close\n\n");
    assertEquals("gw.example", upstream.nextRequest().header("Host"));
  }

  @Test
  void upstreamStatusHeadersAndBodyComeBackUnchanged() throws Exception {
    RawHttp.Response r =
        RawHttp.send(port(), "GET /status HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(418, r.status());
    assertEquals("teapot", r.body());
    assertEquals("yes", r.header("X-Upstream"));
    assertEquals(List.of("a=1; Path=/", "b=2; Path=/"), r.headerValues("Set-Cookie"));
    assertNull(r.header("X-Hop"), "a header the upstream named in Connection is hop-by-hop");
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri("/redirect")).build(), BodyHandlers.ofString());
    assertEquals(302, r.statusCode());
    assertEquals("/elsewhere", r.headers().firstValue("Location").orElseThrow());
    upstream.nextRequest();
    assertTrue(upstream.noRequestWithin(300), "the gateway must not follow the redirect itself");
  }

  @Test
  void upstreamCookiesAreNotStoredByTheGateway() throws Exception {
    http.send(HttpRequest.newBuilder(uri("/status")).build(), BodyHandlers.ofString());
    upstream.nextRequest();
    http.send(HttpRequest.newBuilder(uri("/after-cookie")).build(), BodyHandlers.ofString());
    assertNull(upstream.nextRequest().header("Cookie"));
  }

  @Test
  void refusedConnectionGives502Json() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri("/down/x")).build(), BodyHandlers.ofString());
    assertEquals(502, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("{\"error\":\"bad gateway\"}", r.body());
  }

  @Test
  void silentUpstreamGives504JsonAfterTheReadTimeout() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri("/slow/x")).build(), BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(504, r.statusCode());
    assertEquals("{\"error\":\"gateway timeout\"}", r.body());
    assertTrue(millis < 1_900, "answered after " + millis + " ms, before the upstream's 2 s");
  }

  @Test
  void eventStreamReachesTheClientAsItIsProduced() throws Exception {
    HttpResponse<InputStream> r =
        http.send(HttpRequest.newBuilder(uri("/events")).build(), BodyHandlers.ofInputStream());
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), UTF_8))) {
      // the upstream holds the second event back until we have seen the first
      assertEquals("data: one", lines.readLine());
      secondEventMayGo.countDown();
      assertEquals("", lines.readLine());
      assertEquals("data: two", lines.readLine());
    }
  }

  @Test
  void clientLeavingMidDownloadAbortsTheUpstream() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /endless HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(UTF_8));
      out.flush();
      byte[] some = socket.getInputStream().readNBytes(100_000);
      assertEquals(100_000, some.length);
    }
    assertTrue(
        endlessBodyStopped.await(10, TimeUnit.SECONDS),
        "the upstream kept sending after the client left");
  }

  @Test
  void clientLeavingMidUploadAbortsTheUpstreamRequest() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /half-upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000000\r\n\r\n"
              .getBytes(UTF_8));
      out.write(new byte[10_000]);
      out.flush();
      Thread.sleep(200);
    }
    assertTrue(
        uploadCutShort.await(10, TimeUnit.SECONDS),
        "the upstream should see the upload end early, not wait for the rest");
  }

  @Test
  void upstreamFailingMidBodyCutsTheClientsConnection() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /broken-length HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder got = new StringBuilder();
      while (!got.toString().endsWith("first bytes")) {
        int b = in.read();
        assertTrue(b >= 0, "closed before the first bytes: " + got);
        got.append((char) b);
      }
      clientGotFirstBytes.countDown(); // now the upstream fails
      // read to the end: the gateway must close the connection, not leave the client waiting for
      // bytes that never come (a read timeout here fails the test)
      got.append(new String(in.readAllBytes(), UTF_8));
      assertTrue(got.toString().startsWith("HTTP/1.1 200"), got::toString);
      assertTrue(got.toString().contains("Content-Length: 100000"), got::toString);
      assertTrue(got.toString().endsWith("first bytes"), "nothing after the cut: " + got);
    }
  }

  @Test
  void upstreamFailingMidBodyBeforeTheClientGotAnythingIsA502() throws Exception {
    // the container's request thread is held (hold-after-chain) while the upstream sends its head
    // and a few bytes and fails: nothing has gone to the client, so it gets the usual JSON error
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/held/broken-length")).build(), BodyHandlers.ofString());
    assertEquals(502, r.statusCode(), r::body);
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertTrue(r.body().contains("\"error\""), r.body());
    assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), r.headers()::toString);
  }

  @Test
  void dotSegmentsCannotSmuggleAPathPastItsRoute() throws Exception {
    RawHttp.send(port(), "GET /public/../admin HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(
        "/admin", upstream.nextRequest().rawUri(), "routed and forwarded as the normalised path");
    RawHttp.send(port(), "GET /public/%2e%2e/admin HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals("/admin", upstream.nextRequest().rawUri());
    RawHttp.send(port(), "GET //public//x HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals("/public/x", upstream.nextRequest().rawUri());
  }

  @Test
  void pathClimbingAboveTheRootIsRejected() throws Exception {
    RawHttp.Response r =
        RawHttp.send(
            port(), "GET /public/%2e%2e/%2e%2e/etc HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(400, r.status());
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void ambiguousDotSegmentWithPathParameterIsRejected() throws Exception {
    RawHttp.Response r =
        RawHttp.send(port(), "GET /public/..;x=1/admin HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(400, r.status());
    assertEquals("{\"error\":\"bad request\"}", r.body());
  }

  private static void sleepThenReply(com.sun.net.httpserver.HttpExchange e, long millis)
      throws IOException {
    TestUpstream.record(e);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    TestUpstream.respond(e, 200, "late");
  }

  private static void teapot(com.sun.net.httpserver.HttpExchange e) throws IOException {
    TestUpstream.record(e);
    e.getResponseHeaders().add("X-Upstream", "yes");
    e.getResponseHeaders().add("Set-Cookie", "a=1; Path=/");
    e.getResponseHeaders().add("Set-Cookie", "b=2; Path=/");
    e.getResponseHeaders().add("Connection", "X-Hop");
    e.getResponseHeaders().add("X-Hop", "1");
    byte[] body = "teapot".getBytes(UTF_8);
    e.sendResponseHeaders(418, body.length);
    e.getResponseBody().write(body);
  }

  private static void redirect(com.sun.net.httpserver.HttpExchange e) throws IOException {
    TestUpstream.record(e);
    e.getResponseHeaders().add("Location", "/elsewhere");
    e.sendResponseHeaders(302, -1);
  }

  private static void events(com.sun.net.httpserver.HttpExchange e) throws IOException {
    TestUpstream.record(e);
    e.getResponseHeaders().add("Content-Type", "text/event-stream");
    e.sendResponseHeaders(200, 0);
    OutputStream out = e.getResponseBody();
    out.write("data: one\n\n".getBytes(UTF_8));
    out.flush();
    boolean clientSawTheFirst = false;
    try {
      clientSawTheFirst = secondEventMayGo.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    // if the gateway held the first event back, the client never saw it and gets "late" instead
    out.write((clientSawTheFirst ? "data: two\n\n" : "data: late\n\n").getBytes(UTF_8));
    out.close();
  }

  private static void halfUpload(com.sun.net.httpserver.HttpExchange e) throws IOException {
    try (InputStream in = e.getRequestBody()) {
      in.readAllBytes();
      TestUpstream.respond(e, 200, "got it all");
    } catch (IOException cut) {
      uploadCutShort.countDown();
    }
  }

  /**
   * Declares a 100,000-byte body with a cookie, sends 11 bytes of it, waits (10 s at most) for
   * {@code failNow}, then drops the connection.
   */
  private static TestUpstream.Handler failMidBody(CountDownLatch failNow) {
    return e -> {
      TestUpstream.record(e);
      e.getResponseHeaders().set("Set-Cookie", "session=from-the-upstream");
      e.sendResponseHeaders(200, 100_000);
      OutputStream out = e.getResponseBody();
      out.write("first bytes".getBytes(UTF_8));
      out.flush();
      try {
        failNow.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      // an exception from a handler makes the JDK's server close the connection as it is
      throw new IllegalStateException("upstream fails mid-body (on purpose)");
    };
  }

  private static void endless(com.sun.net.httpserver.HttpExchange e) throws IOException {
    TestUpstream.record(e);
    e.sendResponseHeaders(200, 0);
    byte[] chunk = new byte[8192];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (OutputStream out = e.getResponseBody()) {
      while (System.nanoTime() < deadline) {
        out.write(chunk);
      }
    } catch (IOException gone) {
      endlessBodyStopped.countDown();
    }
  }
}
