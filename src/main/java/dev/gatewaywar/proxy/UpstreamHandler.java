package dev.gatewaywar.proxy;

import java.nio.ByteBuffer;

/**
 * Receives an upstream's answer as it arrives. Called on the upstream client's I/O threads, one
 * call at a time per exchange, so an implementation must never block: it hands bytes on as far as
 * its receiver takes them and pauses the exchange otherwise.
 *
 * <p>Every exchange ends in exactly one of {@link #onEnd()} and {@link #onFailure}, unless the
 * handler aborted it.
 */
public interface UpstreamHandler {

  /** The status line and headers arrived; the body, if any, follows. */
  void onResponse(UpstreamResponse response);

  /**
   * The next piece of the body, readable only during the call.
   *
   * @param moreWaiting true when the piece filled the client's read buffer, so more of the body is
   *     probably already waiting: a handler may hold this piece back and write it with the next
   * @return true to take the next piece as soon as it arrives; false to pause the exchange until
   *     {@link UpstreamResponse#resume()} (a few more pieces already read may still arrive)
   */
  boolean onBody(ByteBuffer chunk, boolean moreWaiting);

  /** The body is complete. */
  void onEnd();

  /**
   * The exchange failed: before {@link #onResponse} nothing reached the client yet; after it, the
   * body is cut short.
   */
  void onFailure(UpstreamException failure);
}
