package dev.gatewaywar.bodylimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code body_limit} against {@code java -Xmx128m -jar gateway.war} (which exits on an
 * OutOfMemoryError): eight clients upload 200 MB each, chunked, at once, past a 1 MiB limit. Each
 * is answered 413 and cut off early, no upstream receives more than the limit, and the gateway
 * serves an ordinary request afterwards: nothing of the bodies is held.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BodyLimitSmallHeapIT {
  private static final int CLIENTS = 8;
  private static final long BODY = 200L * 1000 * 1000;
  private static final long MAX = 1024 * 1024;

  private final AtomicLong mostReceived = new AtomicLong();

  @Test
  void manyLargeChunkedUploadsPastMaxLeaveTheHeapAlone() throws Exception {
    TestUpstream upstream = TestUpstream.start();
    upstream.handle("/up", this::count);
    int port = FreePortForArquillian.freePort();
    Path config = Files.createTempFile("gateway-body-limit", ".yaml");
    Files.writeString(
        config,
        """
        server:
          port: %d
        routes:
          - path: /up/*
            target: %s
            middleware: [body_limit]
            body_limit:
              max: 1MiB
          - path: /ok
            target: %s
        """
            .formatted(port, upstream.url(), upstream.url()));
    GatewayProcess gateway = GatewayProcess.startInSmallHeap(port, config);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        answers.add(clients.submit(() -> upload(port)));
      }
      for (Future<String> answer : answers) {
        String a = answer.get(120, TimeUnit.SECONDS);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
      }
      RawHttp.Response ok = RawHttp.send(port, "GET /ok HTTP/1.1\nHost: gw\nConnection: close\n\n");
      assertEquals(200, ok.status());
      assertTrue(mostReceived.get() <= MAX, "an upstream got " + mostReceived.get() + " bytes");
      String output = gateway.output();
      assertTrue(gateway.isAlive(), output);
      assertFalse(output.contains("OutOfMemoryError"), output);
    } finally {
      clients.shutdownNow();
      gateway.close();
      upstream.close();
    }
  }

  private void count(HttpExchange exchange) throws IOException {
    long n = 0;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[64 * 1024];
      for (int r; (r = in.read(buffer)) > 0; ) {
        n += r;
        mostReceived.accumulateAndGet(n, Math::max);
      }
    }
    TestUpstream.respond(exchange, 200, "got " + n);
  }

  /** One 200 MB chunked upload; returns what the gateway answered before closing. */
  private static String upload(int port) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "POST /up/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      Thread writer = new Thread(() -> write(out), "chunked-upload");
      writer.start();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (IOException reset) {
        // the gateway closed after its answer
      }
      writer.join(60_000);
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }

  private static void write(OutputStream out) {
    byte[] data = new byte[64 * 1024];
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    try {
      for (long written = 0; written < BODY; written += data.length) {
        out.write(head);
        out.write(data);
        out.write(crlf);
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException closed) {
      // the gateway answered and closed: what the test expects
    }
  }
}
