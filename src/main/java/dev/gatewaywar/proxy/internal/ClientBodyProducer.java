package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.proxy.ClientBodyTimeoutException;
import dev.gatewaywar.proxy.RequestBody;
import dev.gatewaywar.proxy.RequestBodyTooLargeException;
import dev.gatewaywar.proxy.UpstreamFailure;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * The client's request body as HttpClient's async side takes it: the I/O thread drains what the
 * body has buffered onto the upstream connection whenever the connection has room ({@link
 * #produce}), and the body asks for that ({@link DataStreamChannel#requestOutput()}) when bytes
 * arrive. Nobody waits: back-pressure is the body's buffer, bounded on both sides. No copy of the
 * client's Content-Type: the header itself was copied with the others.
 */
final class ClientBodyProducer implements AsyncEntityProducer {
  private final RequestBody body;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile DataStreamChannel channel;
  private volatile Exchange exchange;
  private boolean completed;

  ClientBodyProducer(RequestBody body) {
    this.body = body;
  }

  /**
   * Starts reading the client's body: {@code first} runs once, when the body has its first bytes,
   * its end or a failure (so no upstream connection is taken for a body that has not begun).
   */
  void start(Runnable first) {
    body.start(
        () -> {
          if (started.compareAndSet(false, true)) {
            first.run();
          } else {
            more();
          }
        });
  }

  /** The exchange carrying this body, once it is executed. */
  void exchange(Exchange exchange) {
    this.exchange = exchange;
  }

  /** Why the client's side failed, or null. */
  IOException clientFailure() {
    return body.failure();
  }

  /**
   * The failure kind of a body that failed: its client went away, went silent, or sent more than
   * the route allows.
   */
  static UpstreamFailure kindOf(IOException clientFailure) {
    if (clientFailure instanceof ClientBodyTimeoutException) {
      return UpstreamFailure.CLIENT_BODY_TIMEOUT;
    }
    return clientFailure instanceof RequestBodyTooLargeException
        ? UpstreamFailure.CLIENT_BODY_TOO_LARGE
        : UpstreamFailure.CLIENT_ABORTED;
  }

  /** News from the body: bytes, its end, or its failure (which ends the exchange). */
  private void more() {
    Exchange e = exchange;
    if (e != null && body.failure() != null) {
      // an exchange still waiting for its connection ends here; one on the wire when produce()
      // throws below, which makes HttpClient drop the connection: never a truncated body
      e.clientFailed();
    }
    DataStreamChannel c = channel;
    if (c != null) {
      c.requestOutput();
    }
  }

  /** The exchange ended: reading the client stops. */
  void release() {
    body.discard();
  }

  @Override
  public void produce(DataStreamChannel channel) throws IOException {
    this.channel = channel;
    if (!completed && body.sendTo(channel::write)) {
      completed = true;
      channel.endStream();
    }
  }

  @Override
  public int available() {
    return body.available();
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public long getContentLength() {
    return body.length();
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
    return body.length() < 0;
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
