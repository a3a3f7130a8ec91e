package dev.gatewaywar.proxy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.support.classic.SharedOutputBuffer;

/**
 * The client's request body as HttpClient's async side takes it: the request thread copies the
 * servlet's (blocking) input stream into a bounded shared buffer, which the I/O thread drains onto
 * the upstream connection. The request thread waits while the buffer is full, so a fast client
 * meets the upstream's pace and memory stays at one buffer per upload. No copy of the client's
 * Content-Type: the header itself was copied with the others.
 */
final class ClientBodyProducer implements AsyncEntityProducer {
  static final int BUFFER_SIZE = 64 * 1024;

  private final SharedOutputBuffer buffer = new SharedOutputBuffer(BUFFER_SIZE);
  private final long contentLength;
  private volatile boolean clientFailed;
  private volatile DataStreamChannel channel;

  /**
   * @param contentLength the body's length, or -1 when unknown (sent chunked)
   */
  ClientBodyProducer(long contentLength) {
    this.contentLength = contentLength;
  }

  /**
   * Copies {@code client} to the upstream on the calling thread until its end, the client failing
   * (the exchange is then cancelled and reported as the client's failure) or the exchange ending
   * first (an upstream that answered early, or failed): then the rest is left unread.
   */
  void copy(InputStream client, Exchange exchange) {
    byte[] chunk = new byte[BUFFER_SIZE];
    try {
      while (true) {
        int n;
        try {
          n = client.read(chunk);
        } catch (IOException e) {
          // never "complete" a body the client did not finish: the exchange is cancelled instead
          exchange.clientFailed();
          return;
        }
        if (n < 0) {
          break;
        }
        buffer.write(chunk, 0, n);
        // the buffer keeps small pieces without telling the I/O thread: a client that streams
        // (or stalls mid-body) must not have its bytes wait for the buffer to fill
        DataStreamChannel c = channel;
        if (c != null && buffer.hasData()) {
          c.requestOutput();
        }
      }
      buffer.writeCompleted();
    } catch (IOException e) {
      // the exchange ended before the body did (an upstream that answered early, or failed); its
      // handler has heard how, and the rest of the body is left unread
    }
  }

  boolean clientFailed() {
    return clientFailed;
  }

  /**
   * The client's body failed: the next {@link #produce} throws, which makes HttpClient drop the
   * upstream connection, so the upstream never takes a truncated body for a whole one.
   */
  void fail() {
    clientFailed = true;
    buffer.abort();
    DataStreamChannel c = channel;
    if (c != null) {
      c.requestOutput();
    }
  }

  /** The exchange ended: a copy still waiting for room stops. */
  void release() {
    buffer.abort();
  }

  @Override
  public void produce(DataStreamChannel channel) throws IOException {
    this.channel = channel;
    if (clientFailed) {
      throw new IOException("the client's body failed mid-upload");
    }
    buffer.flush(channel);
  }

  @Override
  public int available() {
    return buffer.length();
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public long getContentLength() {
    return contentLength;
  }

  @Override
  public String getContentType() {
    return null;
  }

  @Override
  public String getContentEncoding() {
    return null;
  }

  @Override
  public boolean isChunked() {
    return contentLength < 0;
  }

  @Override
  public Set<String> getTrailerNames() {
    return null;
  }

  @Override
  public void failed(Exception cause) {
    release();
  }

  @Override
  public void releaseResources() {
    release();
  }
}
