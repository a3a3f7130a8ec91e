package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.BodyDigest;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retry:} in the gateway on an embedded Tomcat, in front of real upstreams on loopback (HTTP
 * servers, and raw sockets that reset a connection mid-body or cut an answer): which attempts are
 * sent again, that a replayed body is byte for byte the client's with the client's framing, the
 * backoff, the retry counter, and that the memory of kept bodies is given back.
 */
class RetryTest {
  private static final String METRICS = "metrics:\n  prometheus:\n    enabled: true\n";

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private EmbeddedGateway gateway;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private void start(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, METRICS + yaml);
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  /** An upstream answering the SHA-256 of the body it got and the body's framing. */
  private TestUpstream digesting(AtomicInteger served) throws IOException {
    TestUpstream u = TestUpstream.start();
    closing.add(u);
    u.handle("/", BodyDigest.answering(served));
    return u;
  }

  /** An upstream answering {@code status} to everything, after reading the body. */
  private TestUpstream answering(int status, List<Long> times) throws IOException {
    TestUpstream u = TestUpstream.start();
    closing.add(u);
    u.handle(
        "/",
        exchange -> {
          times.add(System.nanoTime());
          exchange.getRequestBody().readAllBytes();
          TestUpstream.respond(exchange, status, "status " + status);
        });
    return u;
  }

  private RawSocketUpstream raw(RawSocketUpstream.Script script) throws IOException {
    RawSocketUpstream u = new RawSocketUpstream(script);
    closing.add(u);
    return u;
  }

  private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .method(method, body)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private PrometheusText metrics() throws Exception {
    return PrometheusText.parse(
        send("GET", "/metrics", HttpRequest.BodyPublishers.noBody()).body());
  }

  private double retries(String route) throws Exception {
    List<PrometheusText.Sample> s =
        metrics().samples("gateway_upstream_retries_total", Map.of("route", route));
    return s.isEmpty() ? 0 : s.get(0).value();
  }

  /** The kept bytes once every exchange has ended (the last ends just after its response). */
  private double keptBytesOnceIdle() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double kept;
    do {
      kept = metrics().value("gateway_retry_buffer_bytes", Map.of());
      if (kept == 0) {
        return 0;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return kept;
  }

  /** Reads the request head and {@code bodyBytes} of its body, then resets the connection. */
  private static RawSocketUpstream.Script resetAfter(int bodyBytes) {
    return (socket, in) -> {
      in.readNBytes(bodyBytes);
      socket.setSoLinger(true, 0); // close() now sends a reset
    };
  }

  @Test
  void aPostResetMidBodyIsSentAgainWholeWithItsLengthOrChunked() throws Exception {
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    RawSocketUpstream resetting = raw(resetAfter(100 * 1024));
    start(
        """
        routes:
          - path: /length/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 2, when: [502], methods: [POST], max_body: 2MiB}
          - path: /chunked/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 2, when: [502], methods: [POST], max_body: 2MiB}
        """
            .formatted(resetting.url(), good.url()));
    byte[] body = BodyDigest.randomBytes(1024 * 1024);
    HttpResponse<String> r =
        send("POST", "/length/x", HttpRequest.BodyPublishers.ofByteArray(body));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(
        BodyDigest.withLength(body), r.body(), "the same bytes, with the client's Content-Length");
    assertEquals(1, resetting.connections(), "the first attempt went to the resetting target");

    byte[] odd = BodyDigest.randomBytes(1024 * 1024 + 17);
    HttpResponse<String> chunked =
        send(
            "POST",
            "/chunked/x",
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(odd)));
    assertEquals(200, chunked.statusCode(), chunked.body());
    assertEquals(BodyDigest.chunked(odd), chunked.body(), "the same bytes, chunked");
    assertEquals(2, resetting.connections());
    assertEquals(2, served.get());
    assertEquals(1, retries("/length/*"));
    assertEquals(1, retries("/chunked/*"));
    assertEquals(0, keptBytesOnceIdle());
  }

  @Test
  void a503IsRetriedOnTheOtherTargetButAPostWithTheDefaultMethodsIsNot() throws Exception {
    List<Long> unavailable = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, unavailable);
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /get/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 2, when: [503]}
          - path: /post/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 2, when: [503]}
        """
            .formatted(failing.url(), good.url()));
    HttpResponse<String> get = send("GET", "/get/x", HttpRequest.BodyPublishers.noBody());
    assertEquals(200, get.statusCode(), "the 503 was not passed on");
    assertEquals(1, unavailable.size());
    assertEquals(1, served.get());
    assertEquals(1, retries("/get/*"));

    HttpResponse<String> post =
        send("POST", "/post/x", HttpRequest.BodyPublishers.ofString("order"));
    assertEquals(503, post.statusCode(), "POST is not among the default methods");
    assertEquals("status 503", post.body(), "the upstream's own answer");
    assertEquals(2, unavailable.size());
    assertEquals(1, served.get());
    assertEquals(0, retries("/post/*"));
    assertEquals(0, keptBytesOnceIdle());
  }

  @Test
  void aBodyOverMaxBodyOrOverTheBudgetIsTriedOnceWithoutAnError() throws Exception {
    List<Long> unavailable = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, unavailable);
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        upstream:
          retry_buffer: 4KiB
        routes:
          - path: /small/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 3, when: [503], methods: [POST], max_body: 1KiB}
          - path: /budget/*
            targets: [{url: %1$s}, {url: %2$s}]
            retry: {attempts: 3, when: [503], methods: [POST], max_body: 64KiB}
        """
            .formatted(failing.url(), good.url()));
    byte[] body = BodyDigest.randomBytes(2048);
    HttpResponse<String> overMax =
        send("POST", "/small/x", HttpRequest.BodyPublishers.ofByteArray(body));
    assertEquals(503, overMax.statusCode());
    HttpResponse<String> chunkedOverMax =
        send(
            "POST",
            "/small/x",
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    assertEquals(200, chunkedOverMax.statusCode(), "round robin: the second target's turn");
    HttpResponse<String> chunkedOverMaxAgain =
        send(
            "POST",
            "/small/x",
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    assertEquals(503, chunkedOverMaxAgain.statusCode(), "a chunked body past max_body");
    assertEquals(0, retries("/small/*"));

    byte[] overBudget = BodyDigest.randomBytes(8 * 1024);
    HttpResponse<String> noRoom =
        send("POST", "/budget/x", HttpRequest.BodyPublishers.ofByteArray(overBudget));
    assertEquals(503, noRoom.statusCode(), "not kept: tried once, the answer passed on");
    assertEquals(0, retries("/budget/*"));
    assertEquals(3, unavailable.size());

    byte[] fits = BodyDigest.randomBytes(1024);
    // round robin: the second target's turn, then the failing one's, which is retried
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> kept =
          send("POST", "/budget/x", HttpRequest.BodyPublishers.ofByteArray(fits));
      assertEquals(200, kept.statusCode(), "within the budget: kept, and sent again if need be");
      assertEquals(BodyDigest.withLength(fits), kept.body());
    }
    assertEquals(4, unavailable.size());
    assertEquals(1, retries("/budget/*"));
    assertEquals(0, keptBytesOnceIdle());
  }

  @Test
  void anAnswerCutAfterItsHeadIsNeverRetried() throws Exception {
    RawSocketUpstream cutting =
        raw(
            (socket, in) -> {
              OutputStream out = socket.getOutputStream();
              out.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              Thread.sleep(200);
              socket.setSoLinger(true, 0);
            });
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /cut/*
            targets: [{url: %s}, {url: %s}]
            retry: {attempts: 3, when: [connect_failure, 502, 503, 504]}
        """
            .formatted(cutting.url(), good.url()));
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/cut/x"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertThrows(IOException.class, () -> r.body().readAllBytes(), "the body is cut short");
    assertEquals(1, cutting.connections());
    assertEquals(0, served.get(), "never sent again once the answer began");
    assertEquals(0, retries("/cut/*"));
  }

  @Test
  void aReadTimeoutIsRetriedAs504() throws Exception {
    TestUpstream silent = TestUpstream.start();
    closing.add(silent);
    silent.handle(
        "/",
        exchange -> {
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(exchange, 200, "too late");
        });
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /slow/*
            targets: [{url: %s}, {url: %s}]
            timeouts: {read: 300ms}
            retry: {attempts: 2, when: [504]}
        """
            .formatted(silent.url(), good.url()));
    byte[] body = BodyDigest.randomBytes(1000);
    HttpResponse<String> r = send("PUT", "/slow/x", HttpRequest.BodyPublishers.ofByteArray(body));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(BodyDigest.withLength(body), r.body());
    assertEquals(1, retries("/slow/*"));
  }

  @Test
  void anAnswerBeforeTheClientsBodyEndedIsNotRetried() throws Exception {
    RawSocketUpstream early =
        raw(
            (socket, in) -> {
              OutputStream out = socket.getOutputStream();
              out.write(
                  "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nearly"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              Thread.sleep(500);
            });
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /early/*
            targets: [{url: %s}, {url: %s}]
            retry: {attempts: 2, when: [503], methods: [POST]}
        """
            .formatted(early.url(), good.url()));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "POST /early/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 10000\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[100]); // the rest never comes
      out.flush();
      String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 503", answer, "the upstream's early answer, passed on");
    }
    assertEquals(0, served.get(), "not sent again: the upstream answered before the body ended");
    assertEquals(0, retries("/early/*"));
    assertEquals(0, keptBytesOnceIdle());
  }

  @Test
  void aConnectFailureMovesAKeptPostByteForByte() throws Exception {
    int refusing;
    try (ServerSocket s = new ServerSocket(0)) {
      refusing = s.getLocalPort();
    }
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /api/*
            targets: [{url: "http://127.0.0.1:%d"}, {url: %s}]
        """
            .formatted(refusing, good.url()));
    byte[] body = BodyDigest.randomBytes(40 * 1024);
    HttpResponse<String> r = send("POST", "/api/x", HttpRequest.BodyPublishers.ofByteArray(body));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(BodyDigest.withLength(body), r.body());
    assertEquals(1, retries("/api/*"), "a move counts as a retry");
    assertEquals(0, keptBytesOnceIdle());
  }

  @Test
  void attemptsOnOneTargetAreSpacedByTheBackoff() throws Exception {
    List<Long> times = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, times);
    start(
        """
        routes:
          - path: /slow/*
            target: %s
            retry: {attempts: 3, when: [503], backoff: 200ms}
        """
            .formatted(failing.url()));
    HttpResponse<String> r = send("GET", "/slow/x", HttpRequest.BodyPublishers.noBody());
    assertEquals(503, r.statusCode(), "the last attempt's answer");
    assertEquals("status 503", r.body());
    assertEquals(3, times.size(), "three attempts on the one target");
    for (int i = 1; i < times.size(); i++) {
      long gap = times.get(i) - times.get(i - 1);
      assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(200), "attempts " + gap + " ns apart");
    }
    assertEquals(2, retries("/slow/*"));
  }

  @Test
  void theRetryThreadEndsWithTheGateway() throws Exception {
    List<Long> times = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, times);
    start(
        """
        routes:
          - path: /x/*
            target: %s
            retry: {attempts: 2, when: [503], backoff: 1ms}
        """
            .formatted(failing.url()));
    assertEquals(503, send("GET", "/x/y", HttpRequest.BodyPublishers.noBody()).statusCode());
    assertEquals(2, times.size());
    assertTrue(threadNamed("gateway-retry-backoff"));
    gateway.close();
    gateway = null;
    assertTrue(!threadNamed("gateway-retry-backoff"), "left running after the webapp stopped");
  }

  @Test
  void aReloadChangesTheRetryAndKeepsTheOneRetryThread() throws Exception {
    List<Long> times = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, times);
    String config =
        """
        server:
          reload: {interval: 200ms, debounce: 20ms}
        routes:
          - path: /r/*
            target: %s
            retry: {attempts: ATTEMPTS, when: [503], backoff: 1ms}
        """
            .formatted(failing.url());
    start(config.replace("ATTEMPTS", "2"));
    assertEquals(503, send("GET", "/r/x", HttpRequest.BodyPublishers.noBody()).statusCode());
    assertEquals(2, times.size());

    Path file = dir.resolve("gateway.yaml");
    Path temp =
        Files.writeString(
            dir.resolve(".gateway.yaml.tmp"), METRICS + config.replace("ATTEMPTS", "3"));
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int attempts = 0;
    while (attempts < 3 && System.nanoTime() < deadline) {
      int before = times.size();
      send("GET", "/r/x", HttpRequest.BodyPublishers.noBody());
      attempts = times.size() - before;
    }
    assertEquals(3, attempts, "the reloaded route tries three times");
    long threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("gateway-retry-backoff") && t.isAlive())
            .count();
    assertEquals(1, threads, "one retry thread for the webapp, whatever the reloads");
  }

  @Test
  void clientsGoneMidUploadOrDuringTheBackoffLeaveNothingKept() throws Exception {
    TestUpstream midUpload = answering(503, new CopyOnWriteArrayList<>());
    List<Long> unavailable = new CopyOnWriteArrayList<>();
    TestUpstream failing = answering(503, unavailable);
    AtomicInteger served = new AtomicInteger();
    TestUpstream good = digesting(served);
    start(
        """
        routes:
          - path: /mid/*
            target: %s
            retry: {attempts: 2, when: [503], methods: [POST]}
          - path: /wait/*
            targets: [{url: %s}, {url: %s}]
            retry: {attempts: 2, when: [503], methods: [POST], backoff: 500ms}
        """
            .formatted(midUpload.url(), failing.url(), good.url()));
    byte[] half = new byte[20_000];
    // gone mid-upload: 20,000 of the 40,000 bytes declared
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          "POST /mid/y HTTP/1.1\r\nHost: gw\r\nContent-Length: 40000\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.write(half);
      out.flush();
      Thread.sleep(200);
    }
    // gone during the backoff: the whole body sent, the first target answered 503
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          "POST /wait/y HTTP/1.1\r\nHost: gw\r\nContent-Length: 20000\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.write(half);
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (unavailable.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(1, unavailable.size(), "the first target answered 503");
      assertEquals(0, served.get(), "the retry waits for its backoff");
    }
    assertEquals(0, keptBytesOnceIdle());
    HttpResponse<String> after =
        send("POST", "/wait/y", HttpRequest.BodyPublishers.ofByteArray(half));
    assertEquals(200, after.statusCode(), "the gateway serves on");
    assertEquals(0, keptBytesOnceIdle());
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  /**
   * An upstream on a plain server socket: each connection's request head is read, then the script
   * acts on the socket (reads part of the body, writes part of an answer) before it is closed.
   */
  static final class RawSocketUpstream implements AutoCloseable {
    @FunctionalInterface
    interface Script {
      void act(Socket socket, InputStream in) throws Exception;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    RawSocketUpstream(Script script) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s, script), "raw-socket-upstream");
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException closed) {
                    return;
                  }
                }
              },
              "raw-socket-upstream-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void serve(Socket socket, Script script) {
      try (socket) {
        InputStream in = socket.getInputStream();
        int matched = 0;
        while (matched < 4) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        script.act(socket, in);
      } catch (Exception e) {
        // the gateway went away first
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
