package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB down and 1 GiB up through {@code java -Xmx128m -jar gateway.war}: bodies must stream, since
 * a gateway that buffered either one would run out of heap eight times over.
 */
class LargeBodyStreamingIT {
  private static final long GIB = 1L << 30;
  private static TestUpstream upstream;
  private static GatewayProcess gateway;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/download", LargeBodyStreamingIT::download);
    port = FreePortForArquillian.freePort();
    Path config = Files.createTempFile("gateway-streaming", ".yaml");
    Files.writeString(
        config,
        "server:\n  port: "
            + port
            + "\nroutes:\n  - path: /*\n    target: "
            + upstream.url()
            + "\n");
    gateway = GatewayProcess.startInSmallHeap(port, config);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  @Test
  void oneGibDownloadStreamsThroughA128MbHeap() throws Exception {
    HttpResponse<InputStream> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    long start = System.nanoTime();
    long n = 0;
    try (InputStream in = r.body()) {
      byte[] buffer = new byte[256 * 1024];
      for (int k; (k = in.read(buffer)) > 0; ) {
        n += k;
      }
    }
    report("download", n, start);
    assertEquals(GIB, n);
    assertTrue(gateway.isAlive(), gateway.output());
    assertFalse(gateway.output().contains("OutOfMemoryError"));
  }

  @Test
  void oneGibUploadStreamsThroughA128MbHeap() throws Exception {
    upstream.clear();
    long start = System.nanoTime();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(GIB)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    long received = upstream.nextRequest().bodyBytes();
    report("upload", received, start);
    assertEquals(GIB, received);
    assertTrue(gateway.isAlive(), gateway.output());
  }

  private static void report(String what, long bytes, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(
        "%s: %d bytes in %.1f s (%.0f MiB/s)%n", what, bytes, seconds, bytes / seconds / (1 << 20));
  }

  private static void download(HttpExchange e) throws IOException {
    TestUpstream.record(e);
    e.sendResponseHeaders(200, GIB);
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = e.getResponseBody()) {
      for (long sent = 0; sent < GIB; sent += chunk.length) {
        out.write(chunk);
      }
    }
  }

  /** {@code length} zero bytes, made as they are read. */
  private static final class ZeroStream extends InputStream {
    private long left;

    ZeroStream(long length) {
      this.left = length;
    }

    @Override
    public int read() {
      if (left == 0) {
        return -1;
      }
      left--;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }
}
