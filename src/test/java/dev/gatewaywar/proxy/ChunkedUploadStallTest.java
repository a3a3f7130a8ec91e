package dev.gatewaywar.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import dev.gatewaywar.testing.BodyDigest;
import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.TestUpstream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Chunked uploads larger than the gateway's body buffer ({@link ClientBody#MAX_BUFFER}) on the
 * embedded Tomcat, to upstreams on loopback that read the whole body and answer its SHA-256:
 * reading the client pauses when the buffer fills and resumes when the upstream took half of it,
 * many times per upload. Each upload has its own deadline, far above what it takes, so a lost
 * wake-up between the two sides shows as the upload that hung, by number, size and upstream.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChunkedUploadStallTest {
  private static final int KIB = 1024;

  /** Far more than an upload on loopback takes (a few ms to a few hundred). */
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private static TestUpstream fast;
  private static TestUpstream slow;

  @ArquillianResource private URL base;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    fast = TestUpstream.start();
    fast.handle("/", e -> digestBody(e, 0));
    slow = TestUpstream.start();
    // reads 16 KiB at a time with a pause between: the client is always the faster side, so
    // the gateway's buffer fills, and reading the client pauses and resumes
    slow.handle("/", e -> digestBody(e, 1));
    return GatewayArchive.withConfig(
        "ROOT.war",
        """
        routes:
          - path: /fast/*
            target: %1$s
          - path: /slow/*
            target: %2$s
          - path: /kept/*
            target: %1$s
            retry: {attempts: 2, when: [503], methods: [POST], max_body: 2MiB}
        """
            .formatted(fast.url(), slow.url()));
  }

  @AfterAll
  static void stopUpstreams() {
    fast.close();
    slow.close();
  }

  /**
   * Reads the request's body, pausing {@code pauseMillis} per read of at most 16 KiB, and answers
   * its SHA-256: every byte arrived, in order.
   */
  private static void digestBody(HttpExchange e, long pauseMillis) throws IOException {
    InputStream paced =
        new FilterInputStream(e.getRequestBody()) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (pauseMillis > 0) {
              try {
                Thread.sleep(pauseMillis);
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException(ie);
              }
            }
            return super.read(b, off, Math.min(len, 16 * KIB));
          }
        };
    TestUpstream.respond(e, 200, BodyDigest.sha256(paced));
  }

  @Test
  void threeHundredChunkedUploadsOf300KibAllAnswer() throws Exception {
    byte[] body = BodyDigest.randomBytes(300 * KIB);
    for (int i = 0; i < 300; i++) {
      assertUploaded("/fast/", i, body);
    }
  }

  @Test
  void chunkedUploadsToASlowReaderAllAnswer() throws Exception {
    uploadsOfSeveralSizes("/slow/", 10);
  }

  @Test
  void chunkedUploadsOfSeveralSizesAllAnswer() throws Exception {
    uploadsOfSeveralSizes("/fast/", 40);
  }

  /** Bodies kept for a retry (up to 1 MiB here), and one past max_body that stops being kept. */
  @Test
  void chunkedUploadsOnARetryRouteAllAnswer() throws Exception {
    uploadsOfSeveralSizes("/kept/", 20);
  }

  /** {@code times} chunked uploads of each size, from just over the buffer to 20 times it. */
  private void uploadsOfSeveralSizes(String prefix, int times) throws Exception {
    for (int size : new int[] {257 * KIB, 300 * KIB, 1024 * KIB, 5 * 1024 * KIB}) {
      byte[] body = BodyDigest.randomBytes(size);
      for (int i = 0; i < times; i++) {
        assertUploaded(prefix, i, body);
      }
    }
  }

  @Test
  void rawSocketChunkedUploadsAllAnswer() throws Exception {
    byte[] body = BodyDigest.randomBytes(300 * KIB);
    for (int i = 0; i < 200; i++) {
      String answer = rawChunkedUpload("/fast/raw" + i, body);
      if (answer == null) {
        fail("raw chunked upload #" + i + " of " + body.length + " bytes hung past " + DEADLINE);
      }
      assertEquals("HTTP/1.1 200", answer.substring(0, 12), answer);
      assertEquals(sha256(body), answer.substring(answer.indexOf("\r\n\r\n") + 4), answer);
    }
  }

  private static String sha256(byte[] body) throws IOException {
    return BodyDigest.sha256(new ByteArrayInputStream(body));
  }

  /** Sends {@code body} chunked (a length the client does not declare) and waits for its answer. */
  private void assertUploaded(String prefix, int i, byte[] body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + base.getPort() + prefix + "upload" + i))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();
    CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request, BodyHandlers.ofString());
    HttpResponse<String> r;
    try {
      r = sent.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      fail(
          "chunked upload #"
              + i
              + " of "
              + body.length
              + " bytes to "
              + prefix
              + " hung past "
              + DEADLINE);
      return;
    }
    assertEquals(200, r.statusCode(), "upload #" + i + " of " + body.length + " to " + prefix);
    assertEquals(sha256(body), r.body(), "upload #" + i + " to " + prefix);
  }

  /**
   * One chunked upload over a socket of its own, in 8 KiB chunks, {@code Connection: close}.
   *
   * @return the whole answer, or null when none came within {@link #DEADLINE}
   */
  private String rawChunkedUpload(String path, byte[] body) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
      s.setSoTimeout((int) DEADLINE.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(US_ASCII));
      for (int off = 0; off < body.length; off += 8 * KIB) {
        int n = Math.min(8 * KIB, body.length - off);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(US_ASCII));
        out.write(body, off, n);
        out.write("\r\n".getBytes(US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(US_ASCII));
      out.flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(answer);
      } catch (SocketTimeoutException e) {
        return null;
      }
      return answer.toString(US_ASCII);
    }
  }
}
