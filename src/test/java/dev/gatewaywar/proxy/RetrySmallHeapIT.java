package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.PrometheusText;
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
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route with {@code retry} against {@code java -Xmx128m -jar gateway.war} (which exits on an
 * OutOfMemoryError): eight clients upload 10 MiB each at once, four with a Content-Length (over
 * {@code max_body}: not kept, decided up front) and four chunked (kept until past {@code max_body},
 * then streamed on). Each is sent once and answered 200, nothing stays kept, and the gateway is
 * alive afterwards.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RetrySmallHeapIT {
  private static final int CLIENTS = 8;
  private static final int BODY = 10 * 1024 * 1024;

  private final AtomicInteger requests = new AtomicInteger();

  @Test
  void tenMebibyteUploadsOnARetryRouteAreSentOnceAndLeaveTheHeapAlone() throws Exception {
    TestUpstream upstream = TestUpstream.start();
    upstream.handle("/up", this::count);
    int port = FreePortForArquillian.freePort();
    Path config = Files.createTempFile("gateway-retry-heap", ".yaml");
    Files.writeString(
        config,
        """
        server:
          port: %d
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /up/*
            target: %s
            retry:
              attempts: 3
              when: [connect_failure, 502, 503, 504]
              methods: [POST]
              max_body: 1MiB
        """
            .formatted(port, upstream.url()));
    GatewayProcess gateway = GatewayProcess.startInSmallHeap(port, config);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        boolean chunked = i % 2 == 1;
        answers.add(clients.submit(() -> upload(port, chunked)));
      }
      for (Future<String> answer : answers) {
        String a = answer.get(150, TimeUnit.SECONDS);
        assertTrue(a.startsWith("HTTP/1.1 200 "), a);
        assertTrue(a.endsWith("got " + BODY), a);
      }
      assertEquals(CLIENTS, requests.get(), "each upload sent once");
      PrometheusText metrics =
          PrometheusText.parse(
              RawHttp.send(port, "GET /metrics HTTP/1.1\nHost: gw\nConnection: close\n\n").body());
      assertEquals(0, metrics.value("gateway_retry_buffer_bytes", Map.of()));
      assertTrue(
          metrics.samples("gateway_upstream_retries_total", Map.of("route", "/up/*")).isEmpty(),
          "no retry");
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
    requests.incrementAndGet();
    long n = 0;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[64 * 1024];
      for (int r; (r = in.read(buffer)) > 0; ) {
        n += r;
      }
    }
    TestUpstream.respond(exchange, 200, "got " + n);
  }

  /** One 10 MiB upload; returns the gateway's whole answer. */
  private static String upload(int port, boolean chunked) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + BODY;
      out.write(
          ("POST /up/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n" + framing + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] data = new byte[64 * 1024];
      byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
      for (int written = 0; written < BODY; written += data.length) {
        if (chunked) {
          out.write(head);
        }
        out.write(data);
        if (chunked) {
          out.write(crlf);
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(answer);
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }
}
