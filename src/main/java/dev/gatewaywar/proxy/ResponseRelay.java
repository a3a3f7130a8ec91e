package dev.gatewaywar.proxy;

import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.ResponseHeadHooks;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Carries one upstream answer to the client without a thread waiting on either side: the upstream
 * client's I/O thread writes each piece of the body as it arrives, with the servlet's non-blocking
 * output, as long as the client keeps up. When it does not, pieces queue in {@link #pending} up to
 * {@link #PAUSE_AT}, then the exchange pauses, and the container's {@link #onWritePossible()}
 * resumes it once the client has taken what was written.
 *
 * <p>Pieces of a body of unknown length (event streams, chunked answers) are written and flushed as
 * they arrive; a download of known length gathers full reads up to {@link #WRITE_AT} per write, and
 * its last write is left to the completion's flush (one write for a small response). The upstream's
 * status and headers go to the client's response with the first write, so an upstream failing
 * before anything could be written (the container lets the relay write only once the request thread
 * has returned) still gets the usual JSON error, without the upstream's head; one failing after
 * that cuts the client's connection ({@link #cutConnection()}), so a truncated body cannot pass for
 * a complete one. A head the container cannot send (larger than its response-header buffer) ends
 * the response as a 502 cut short ({@link #sendHead}). The relay is also the request's {@link
 * AsyncListener}: a request the container ends itself (client gone mid-upload, its own timeout)
 * ends the exchange and the {@link Completion} with it. The completion is told how the response
 * ended ({@link Completion.Ending}), so the access log and metrics record a response cut short as
 * such.
 *
 * <p>State is guarded by {@link #lock}, since upstream and container threads both act on it. The
 * output stream is written under it (writes must not interleave); the async context, the exchange
 * and the completion are only called with it released.
 */
final class ResponseRelay implements UpstreamHandler, WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(ResponseRelay.class.getName());

  /** A download's pieces are gathered up to this size before being written to the client. */
  static final int WRITE_AT = 128 * 1024;

  /** Bytes queued for a client that is behind before the upstream is paused. */
  static final int PAUSE_AT = 256 * 1024;

  /**
   * Heads larger than this are sent on their own, before the body: half of Tomcat's default
   * response-header buffer (8 KiB), so a container that cannot send a head refuses it before the
   * response is recorded as complete ({@link #sendHead}); smaller ones go with the body in one
   * write.
   */
  static final int SEND_HEAD_AT = 4 * 1024;

  private final AsyncContext async;
  private final HttpServletRequest clientRequest;
  private final HttpServletResponse clientResponse;
  private final ServletOutputStream out;
  private final URI target;
  private final Completion completion;
  private final ClientBody body;

  private final ReentrantLock lock = new ReentrantLock();
  private UpstreamResponse upstream;
  private byte[] pending = new byte[0];
  private int pendingLength;
  private long contentLength = -1;
  private boolean headSet;
  private long written;
  private boolean paused;
  private boolean ended;
  private boolean finished;
  private Completion.Ending ending = Completion.Ending.COMPLETE;
  private boolean headRefused;

  ResponseRelay(
      AsyncContext async,
      HttpServletRequest clientRequest,
      HttpServletResponse clientResponse,
      ServletOutputStream out,
      URI target,
      Completion completion,
      ClientBody body) {
    this.async = async;
    this.clientRequest = clientRequest;
    this.clientResponse = clientResponse;
    this.out = out;
    this.target = target;
    this.completion = completion;
    this.body = body;
  }

  // --- the upstream's side ----------------------------------------------------------------------

  @Override
  public void onResponse(UpstreamResponse response) {
    lock.lock();
    try {
      upstream = response;
      if (!finished) {
        // the head goes to the client's response with the first write (drain): an upstream
        // failing before that still leaves room for a clean error answer
        contentLength = response.contentLength();
        return;
      }
    } finally {
      lock.unlock();
    }
    response.abort();
  }

  @Override
  public boolean onBody(ByteBuffer chunk, boolean moreWaiting) {
    IOException clientFailure = null;
    lock.lock();
    try {
      if (finished) {
        return true;
      }
      append(chunk);
      if (moreWaiting
          && contentLength > 0
          && written + pendingLength < contentLength
          && pendingLength < WRITE_AT) {
        // a download in full flow: fewer, larger writes to the client (one system call each);
        // never for a body of unknown length, which may be an event stream to pass on at once
        return true;
      }
      try {
        // a client that is momentarily behind gets pieces queued up to PAUSE_AT before the
        // upstream is paused: each pause costs a round trip through the container
        boolean drained = drain();
        if (!takeRefusal()) {
          paused = !drained && pendingLength >= PAUSE_AT;
          return !paused;
        }
      } catch (IOException e) {
        clientFailure = e;
      }
    } finally {
      lock.unlock();
    }
    if (clientFailure != null) {
      clientGone(clientFailure);
    } else {
      headRefused();
    }
    return true;
  }

  @Override
  public void onEnd() {
    Completion.Ending how;
    lock.lock();
    try {
      ended = true;
      if (finished) {
        return;
      }
      try {
        boolean drained = drain();
        if (!takeRefusal() && !drained) {
          return; // onWritePossible finishes
        }
      } catch (IOException e) {
        // the client went away after the last byte was read: nothing left to abort
        LOG.fine(() -> "client went away at the end of a response: " + e);
        ending = Completion.Ending.CLIENT_CUT;
      }
      finished = true;
      how = ending;
    } finally {
      lock.unlock();
    }
    finish(how);
  }

  @Override
  public void onFailure(UpstreamException failure) {
    boolean headSent;
    lock.lock();
    try {
      if (finished) {
        return;
      }
      headSent = headSet;
      if (headSent) {
        LOG.warning(
            () ->
                "upstream "
                    + ProxyFailures.upstreamName(target)
                    + " failed mid-body: "
                    + ProxyFailures.describe(failure));
        finished = true;
        ending = Completion.Ending.UPSTREAM_CUT;
      } else {
        headSet = true; // the error's own: the upstream's head, if any came, is dropped
        pendingLength = 0;
        byte[] error = ProxyFailures.answer(failure, target, clientResponse);
        closeIfBodyUnread();
        if (error != null) {
          contentLength = error.length;
          append(ByteBuffer.wrap(error));
        } else {
          ending = Completion.Ending.CLIENT_CUT; // nobody is left to answer
        }
      }
    } finally {
      lock.unlock();
    }
    if (headSent) {
      completion.end(Completion.Ending.UPSTREAM_CUT);
      cutConnection();
    } else {
      onEnd(); // the error answer, if any, is the whole body
    }
  }

  /**
   * Ends the exchange with the client by dropping its connection, so a body cut short cannot pass
   * for a complete one. The servlet API has no call for it (throwing from an async re-dispatch made
   * Tomcat recycle the next request's objects); what it does have: a container ends an async
   * request that timed out with its response committed by closing the connection. Tomcat does so
   * within a second (its timeout sweep). Where the timeout cannot be changed after the request's
   * first dispatch (Undertow enforces that), the response is completed as it is: a body of declared
   * length stays short until the connector's keep-alive timeout, a chunked one ends early.
   */
  private void cutConnection() {
    try {
      async.setTimeout(1);
    } catch (IllegalStateException e) {
      LOG.log(Level.FINE, "cannot cut the client's connection here; ending the response", e);
      try {
        async.complete();
      } catch (IllegalStateException ended) {
        LOG.log(Level.FINE, "request already ended", ended);
      }
    }
  }

  // --- the container's side ---------------------------------------------------------------------

  @Override
  public void onWritePossible() throws IOException {
    boolean resume = false;
    boolean done = false;
    Completion.Ending how = Completion.Ending.COMPLETE;
    boolean refused;
    lock.lock();
    try {
      if (finished) {
        return;
      }
      boolean drained = drain();
      refused = takeRefusal();
      if (refused || !drained) {
        // refused: ended below; else written when the client takes more
      } else if (ended) {
        finished = true;
        done = true;
        how = ending;
      } else if (paused) {
        paused = false;
        resume = true;
      }
    } finally {
      lock.unlock();
    }
    if (refused) {
      headRefused();
    } else if (done) {
      finish(how);
    } else if (resume) {
      upstream.resume();
    }
  }

  @Override
  public void onError(Throwable t) {
    clientGone(t);
  }

  // --- the container ending the request itself (client gone mid-upload, its own timeouts) -------

  @Override
  public void onComplete(AsyncEvent event) {
    containerEnded();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    containerEnded();
  }

  @Override
  public void onError(AsyncEvent event) {
    containerEnded();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted: the proxy starts async once per request
  }

  /**
   * Whatever way the request ended, the exchange ends with it and the completion runs once: if the
   * relay had not finished, the container ended a response the client did not get whole; if it had,
   * with how the relay ended it (this event may come first: a client's reset is seen by the
   * container while the relay is still aborting the upstream).
   */
  private void containerEnded() {
    UpstreamResponse exchange = null;
    Completion.Ending how;
    lock.lock();
    try {
      if (!finished) {
        finished = true;
        ending = Completion.Ending.CLIENT_CUT;
        exchange = upstream;
      }
      how = ending;
    } finally {
      lock.unlock();
    }
    if (exchange != null) {
      exchange.abort();
    }
    completion.end(how);
  }

  // --- inside
  // --------------------------------------------------------------------------------------

  /** Copies {@code chunk} behind whatever is pending; the servlet API writes arrays. */
  private void append(ByteBuffer chunk) {
    int n = chunk.remaining();
    if (pendingLength + n > pending.length) {
      // the first piece's size exactly (a small answer wastes nothing), then doubling
      int size = Math.max(pendingLength + n, pending.length == 0 ? n : 2 * pending.length);
      byte[] larger = new byte[size];
      System.arraycopy(pending, 0, larger, 0, pendingLength);
      pending = larger;
    }
    chunk.get(pending, pendingLength, n);
    pendingLength += n;
  }

  /**
   * Writes what is pending while the client takes it. Called with the lock held.
   *
   * @return true when everything written has left (the output is ready for more)
   */
  private boolean drain() throws IOException {
    if (!out.isReady()) {
      return false;
    }
    if (!headSet && upstream != null) {
      headSet = true;
      boolean largeHead =
          copyResponseHead(upstream, contentLength, clientRequest, clientResponse) > SEND_HEAD_AT;
      closeIfBodyUnread();
      if (largeHead) {
        sendHead();
      }
      if (!out.isReady()) {
        return false;
      }
    }
    if (pendingLength == 0) {
      return true;
    }
    out.write(pending, 0, pendingLength);
    written += pendingLength;
    pendingLength = 0;
    if (written != contentLength) {
      if (!out.isReady()) {
        return false;
      }
      out.flush();
    }
    return out.isReady();
  }

  /**
   * Sends the head now. Tomcat refuses a head larger than its connector's response-header buffer
   * ({@code maxHttpResponseHeaderSize}, 8 KiB by default) with an IllegalStateException ({@code
   * HeadersTooLargeException}). Nothing can be answered then: resetting the response drops the
   * write listener, and the filters of the failed attempt stay, framing any other answer wrongly.
   * The response is recorded as a 502 cut short, and ended without a byte: the container fails to
   * send the head again and closes the connection. {@link #takeRefusal} tells the caller to drop
   * the exchange and finish. Called with the lock held.
   */
  private void sendHead() throws IOException {
    try {
      out.flush();
    } catch (IllegalStateException refused) {
      if (clientResponse.isCommitted()) {
        throw refused;
      }
      LOG.warning(
          () ->
              "the container cannot send the response head of upstream "
                  + ProxyFailures.upstreamName(target)
                  + " (raise its response-header limit or lower upstream.max_response_head_size): "
                  + refused.getMessage());
      clientResponse.setStatus(GatewayError.BAD_GATEWAY.status());
      ending = Completion.Ending.UPSTREAM_CUT;
      pendingLength = 0;
      finished = true;
      headRefused = true;
    }
  }

  /** The container refused the upstream's head: the exchange is dropped, the response ended. */
  private void headRefused() {
    upstream.abort();
    finish(Completion.Ending.UPSTREAM_CUT);
  }

  /** True once after the container refused the upstream's head ({@link #sendHead}). */
  private boolean takeRefusal() {
    boolean refused = headRefused;
    headRefused = false;
    return refused;
  }

  /**
   * Copies the upstream's status and end-to-end headers to the client's response, as edited by the
   * filters' {@link ResponseHeadHooks}; {@code contentLength} is the upstream's framing, {@link
   * UpstreamResponse#contentLength} (-1: none).
   *
   * @return the characters of the names and values copied
   */
  private static int copyResponseHead(
      UpstreamResponse upstreamResponse,
      long contentLength,
      HttpServletRequest clientRequest,
      HttpServletResponse clientResponse) {
    clientResponse.setStatus(upstreamResponse.status());
    List<Map.Entry<String, String>> headers = upstreamResponse.headers();
    HopByHopHeaders hopByHop = HopByHopHeaders.ofHeaders(headers);
    List<ResponseHeadHooks.Hook> hooks = ResponseHeadHooks.of(clientRequest);
    if (!hooks.isEmpty()) {
      List<Map.Entry<String, String>> endToEnd = new ArrayList<>(headers.size());
      for (Map.Entry<String, String> h : headers) {
        if (isEndToEnd(h.getKey(), hopByHop)) {
          endToEnd.add(h);
        }
      }
      for (ResponseHeadHooks.Hook hook : hooks) {
        hook.apply(endToEnd, clientResponse);
      }
      headers = endToEnd;
      // the upstream's Connection tokens were applied above; a hook's own headers meet the rest
      hopByHop = HopByHopHeaders.ofHeaders(List.of());
    }
    int size = 0;
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey();
      if (isEndToEnd(name, hopByHop)) {
        clientResponse.addHeader(name, h.getValue());
        size += name.length() + h.getValue().length();
      }
    }
    if (contentLength >= 0) {
      clientResponse.setContentLengthLong(contentLength);
    }
    return size;
  }

  private static boolean isEndToEnd(String name, HopByHopHeaders hopByHop) {
    return !hopByHop.contains(name) && !name.equalsIgnoreCase("Content-Length");
  }

  /**
   * A response that starts before the client's body has all arrived (the upstream answered early,
   * or failed, or the gateway refused the request) closes the connection after it: to reuse the
   * connection the container would first read the rest of the body, on a request thread (Tomcat
   * does, blocking), so a client trickling it would hold that thread. Called with the lock held.
   */
  private void closeIfBodyUnread() {
    if (body != null && !body.complete()) {
      clientResponse.setHeader("Connection", "close");
    }
  }

  private void clientGone(Throwable cause) {
    UpstreamResponse exchange;
    lock.lock();
    try {
      if (finished) {
        return;
      }
      finished = true;
      ending = Completion.Ending.CLIENT_CUT;
      exchange = upstream;
    } finally {
      lock.unlock();
    }
    LOG.fine(
        () ->
            "client went away mid-response from "
                + ProxyFailures.upstreamName(target)
                + ": "
                + cause);

    if (exchange != null) {
      exchange.abort();
    }
    finish(Completion.Ending.CLIENT_CUT);
  }

  /** Completion first: after {@code complete()} the container may recycle request and response. */
  private void finish(Completion.Ending ending) {
    completion.end(ending);
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // the container ended the request itself (an error or a timeout of its own)
      LOG.log(Level.FINE, "request already ended", e);
    }
  }
}
