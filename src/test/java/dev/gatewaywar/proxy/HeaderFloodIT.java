package dev.gatewaywar.proxy;

import static dev.gatewaywar.testing.RawUpstream.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RawUpstream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malicious upstream heads against {@code java -Xmx128m -jar gateway.war}: floods of headers, of
 * folded lines, one endless line, 64 MiB of headers, several of each at once, and heads held open
 * at the largest the limits let through. No upstream input may reach an OutOfMemoryError (the
 * process is started to exit on one): every flood is a 502, and the gateway answers its health
 * check and an ordinary route throughout and afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeaderFloodIT {
  /** Heads held open at once at the largest size the default limits let HttpCore hold. */
  private static final int HELD = 16;

  /** Clients per kind of flood, all at once. */
  private static final int AT_ONCE = 4;

  private static final String OK = "HTTP/1.1 200 OK\nConnection: close\n";
  private static final CountDownLatch allHeld = new CountDownLatch(HELD);
  private static final CountDownLatch release = new CountDownLatch(1);
  private static RawUpstream upstream;
  private static GatewayProcess gateway;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    upstream = RawUpstream.start(HeaderFloodIT::answer);
    port = FreePortForArquillian.freePort();
    Path config = Files.createTempFile("gateway-flood", ".yaml");
    Files.writeString(
        config,
        """
        server:
          port: %d
        timeouts:
          read: 60s
        routes:
          - path: /*
            target: %s
        """
            .formatted(port, upstream.url()));
    gateway = GatewayProcess.startInSmallHeap(port, config);
  }

  @AfterAll
  static void stop() throws Exception {
    release.countDown();
    gateway.close();
    upstream.close();
  }

  private static void answer(String requestLine, OutputStream out) throws IOException {
    switch (requestLine.split(" ")[1]) {
      case "/flood-headers" -> endless(out, crlf(OK), "X-Flood: " + "f".repeat(54) + "\n");
      case "/flood-folded" ->
          endless(out, crlf(OK + "X-Folded: a\n"), "\t" + "f".repeat(62) + "\n");
      case "/flood-line" -> endless(out, crlf(OK + "X-Line: "), "f".repeat(64));
      case "/flood-64mib" -> {
        out.write(crlf(OK));
        byte[] line = crlf("X-Flood: " + "f".repeat(53) + "\n"); // 64 bytes
        for (int i = 0; i < (64 << 20) / line.length; i++) {
          out.write(line);
        }
        out.write(crlf("Content-Length: 0\n\n"));
      }
      case "/held" -> {
        // every line as long and as many as the default limits allow, the head never ended
        out.write(crlf(OK));
        int lines = UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADERS - 2;
        String value = "h".repeat(UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADER_LINE - 16);
        for (int i = 0; i < lines; i++) {
          out.write(crlf("X-Held-" + i + ": " + value + "\n"));
        }
        out.flush();
        allHeld.countDown();
        await(release);
      }
      default -> out.write(crlf(OK + "Content-Length: 5\n\nhello"));
    }
  }

  private static void endless(OutputStream out, byte[] start, String piece) throws IOException {
    out.write(start);
    byte[] bytes = crlf(piece);
    for (; ; ) {
      out.write(bytes); // until the gateway drops the connection
    }
  }

  @Test
  void floodsAreRefusedAndTheGatewayKeepsAnswering() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(HELD + 4 * AT_ONCE);
    try {
      List<Future<RawHttp.Response>> held = new ArrayList<>();
      for (int i = 0; i < HELD; i++) {
        held.add(clients.submit(() -> get("/held")));
      }
      assertTrue(allHeld.await(60, TimeUnit.SECONDS), "the held heads never all arrived");
      assertAnswering("while " + HELD + " heads at the limits are held");

      List<Future<RawHttp.Response>> floods = new ArrayList<>();
      for (String path :
          List.of("/flood-headers", "/flood-folded", "/flood-line", "/flood-64mib")) {
        for (int i = 0; i < AT_ONCE; i++) {
          floods.add(clients.submit(() -> get(path)));
        }
      }
      for (Future<RawHttp.Response> f : floods) {
        assertEquals(502, f.get(60, TimeUnit.SECONDS).status());
      }
      release.countDown(); // the held heads end without their blank line: refused too
      for (Future<RawHttp.Response> f : held) {
        assertEquals(502, f.get(60, TimeUnit.SECONDS).status());
      }
    } finally {
      release.countDown();
      clients.shutdownNow();
    }
    assertAnswering("after the floods");
    String output = gateway.output();
    assertTrue(gateway.isAlive(), output);
    assertFalse(output.contains("OutOfMemoryError"), output);
  }

  private static void assertAnswering(String when) throws IOException {
    assertEquals(200, get("/healthz").status(), "health check " + when);
    RawHttp.Response r = get("/ordinary");
    assertEquals(200, r.status(), "ordinary route " + when);
    assertEquals("hello", r.body());
  }

  private static RawHttp.Response get(String path) throws IOException {
    return RawHttp.send(port, "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  private static void await(CountDownLatch latch) throws IOException {
    try {
      latch.await(90, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
