package dev.gatewaywar.proxy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * The client's body as HttpClient's request entity, streamed once. HttpClient's own {@code
 * InputStreamEntity} copies through a fixed 4 KiB buffer: a system call per 4 KiB on an upload.
 * This one copies through a {@link CopyBuffer}, which grows while the client keeps it full.
 */
final class ClientBodyEntity extends AbstractHttpEntity {
  private final ClientBody body;
  private final long length;

  /**
   * @param length the body's length, or -1 when unknown (then it goes upstream chunked)
   */
  ClientBodyEntity(ClientBody body, long length) {
    // No Content-Type of its own: the client's header, copied with the others, is the one sent.
    super((String) null, null, length < 0);
    this.body = body;
    this.length = length;
  }

  @Override
  public long getContentLength() {
    return length;
  }

  @Override
  public InputStream getContent() {
    return body;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    CopyBuffer buffer = new CopyBuffer(length);
    long left = length;
    while (left != 0) {
      byte[] bytes = buffer.bytes();
      int n = body.read(bytes, 0, left < 0 ? bytes.length : (int) Math.min(bytes.length, left));
      if (n < 0) {
        break; // shorter than announced: HttpClient's length-delimited stream reports it
      }
      out.write(bytes, 0, n);
      buffer.read(n);
      if (left > 0) {
        left -= n;
      }
    }
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public boolean isStreaming() {
    return true;
  }

  @Override
  public void close() {
    // the client's stream belongs to the container
  }
}
