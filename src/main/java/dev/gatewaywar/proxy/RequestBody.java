package dev.gatewaywar.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A client's request body as the upstream client takes it: read from the client without holding a
 * thread, into a bounded buffer that the upstream client drains as its connection takes bytes.
 * Reading pauses while the buffer is full and resumes once it has been drained, so a fast client
 * meets the upstream's pace and a slow one costs a buffer, not a thread. Any thread may call it.
 */
public interface RequestBody {

  /** The body's length, or -1 when unknown (sent chunked). */
  long length();

  /**
   * Starts reading the client. {@code ready} runs, on any thread and never inside a call of the
   * upstream client, each time the body has something new for {@link #sendTo}: bytes, its end, or
   * its failure. The first time is when the first bytes (or the end, or a failure) are there: an
   * upstream client needs no connection before that.
   */
  void start(Runnable ready);

  /** Bytes waiting to be sent, plus one while an end or a failure has not been handed on yet. */
  int available();

  /**
   * Hands waiting bytes to {@code out} as far as it takes them.
   *
   * @return true once the whole body has been handed on
   * @throws IOException the client's side failed (it went away, or sent nothing for {@code
   *     timeouts.client_body}: a {@link ClientBodyTimeoutException}): the body must not be
   *     completed, its exchange fails
   */
  boolean sendTo(Sink out) throws IOException;

  /** Why the client's side failed, or null while it has not. */
  IOException failure();

  /** The exchange ended before the body did: the rest is left unread. Idempotent. */
  void discard();

  /** Where the bytes go: takes what it can of {@code src}. */
  @FunctionalInterface
  interface Sink {
    /**
     * @return the bytes taken; 0 when there is no room now
     */
    int write(ByteBuffer src) throws IOException;
  }
}
