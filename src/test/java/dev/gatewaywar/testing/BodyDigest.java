package dev.gatewaywar.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request bodies compared by their SHA-256, for tests that a body reached an upstream byte for
 * byte: an upstream handler that answers the digest of what it got and how it was framed, and the
 * answer a given body should get.
 */
public final class BodyDigest {
  private BodyDigest() {}

  /** {@code n} random bytes, the same for the same {@code n}. */
  public static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** The hex SHA-256 of what {@code in} holds; closes it. */
  public static String sha256(InputStream in) throws IOException {
    try (in) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What {@link #answering} answers for {@code body} sent with a Content-Length. */
  public static String withLength(byte[] body) throws IOException {
    return sha256(new ByteArrayInputStream(body)) + " length=" + body.length;
  }

  /** What {@link #answering} answers for {@code body} sent chunked. */
  public static String chunked(byte[] body) throws IOException {
    return sha256(new ByteArrayInputStream(body)) + " chunked";
  }

  /**
   * A handler answering 200 with the SHA-256 of the body it got and its framing ({@code length=N}
   * or {@code chunked}), counting the requests in {@code served}.
   */
  public static TestUpstream.Handler answering(AtomicInteger served) {
    return exchange -> {
      served.incrementAndGet();
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      String sha = sha256(exchange.getRequestBody());
      TestUpstream.respond(
          exchange, 200, sha + " " + (length == null ? "chunked" : "length=" + length));
    };
  }
}
