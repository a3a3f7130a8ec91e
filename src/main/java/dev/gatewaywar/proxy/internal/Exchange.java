package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One upstream exchange: HttpClient's response consumer on one side, the gateway's {@link
 * UpstreamHandler} on the other. The body flows while the handler takes it; when the handler
 * pauses, the exchange stops granting HttpClient read capacity (so the upstream connection stops
 * being read and TCP slows the upstream down) until {@link #resume()}.
 */
final class Exchange
    implements AsyncResponseConsumer<Void>, FutureCallback<Void>, UpstreamResponse {
  private static final Logger LOG = Logger.getLogger(Exchange.class.getName());

  /** Read capacity granted at a time: bounds what arrives after the handler paused. */
  static final int BODY_WINDOW = 64 * 1024;

  private final UpstreamHandler handler;
  private final ClientBodyProducer body;
  private final PoolHousekeeping housekeeping;
  private final long leaseDeadline;
  private final Runnable onDone;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean done = new AtomicBoolean();

  private final ReentrantLock flow = new ReentrantLock();
  private boolean paused;
  private boolean resumedDuringBody;
  private CapacityChannel heldCapacity;

  private volatile Future<Void> future;
  private volatile boolean aborted;
  private FutureCallback<Void> resultCallback;
  private int status;
  private List<Map.Entry<String, String>> headers;
  private long contentLength;

  /**
   * @param body the client's body, or null
   * @param leaseDeadline when waiting for a pooled connection ends ({@link System#nanoTime})
   * @param onDone runs once when the exchange is over, however it ended
   */
  Exchange(
      UpstreamHandler handler,
      ClientBodyProducer body,
      PoolHousekeeping housekeeping,
      long leaseDeadline,
      Runnable onDone) {
    this.handler = handler;
    this.body = body;
    this.housekeeping = housekeeping;
    this.leaseDeadline = leaseDeadline;
    this.onDone = onDone;
  }

  long leaseDeadline() {
    return leaseDeadline;
  }

  void started(Future<Void> execution) {
    this.future = execution;
    // ended before HttpClient's future was known (aborted, or its lease timed out at once):
    // cancelling now keeps a request already answered with an error from reaching the upstream
    // (a no-op for an exchange that completed normally)
    if (aborted || finished.get()) {
      execution.cancel(true);
    }
  }

  // --- HttpClient's side: its I/O thread, one call at a time -----------------------------------

  @Override
  public void consumeResponse(
      HttpResponse response, EntityDetails entity, HttpContext context, FutureCallback<Void> done)
      throws ProtocolException {
    // checked by ResponseHeads already, among HttpClient's response interceptors
    contentLength = ResponseHeads.contentLength(response, entity);
    status = response.getCode();
    Header[] all = response.getHeaders();
    List<Map.Entry<String, String>> copied = new ArrayList<>(all.length);
    for (Header h : all) {
      copied.add(Map.entry(h.getName(), h.getValue()));
    }
    headers = copied;
    resultCallback = done;
    if (guarded(() -> handler.onResponse(this)) && entity == null) {
      end();
    }
  }

  @Override
  public void informationResponse(HttpResponse response, HttpContext context) {
    // 1xx answers are the hop's business (HttpClient handles 100-continue); none is relayed
  }

  @Override
  public void updateCapacity(CapacityChannel channel) throws IOException {
    flow.lock();
    try {
      if (paused && !aborted) {
        heldCapacity = channel;
        return;
      }
    } finally {
      flow.unlock();
    }
    channel.update(BODY_WINDOW);
  }

  @Override
  public void consume(ByteBuffer src) throws IOException {
    if (aborted) {
      // the one way to make HttpClient drop a connection mid-body, whatever the exchange's state
      throw new IOException("exchange aborted by the gateway");
    }
    if (finished.get()) {
      return;
    }
    flow.lock();
    try {
      resumedDuringBody = false;
    } finally {
      flow.unlock();
    }
    boolean more;
    try {
      more = handler.onBody(src, src.remaining() >= ApacheUpstreamClient.IO_BUFFER_SIZE);
    } catch (RuntimeException e) {
      handlerFailed(e);
      throw new IOException("the gateway's handler failed", e);
    }
    // the handler's latest answer decides, unless a resume() raced with it
    CapacityChannel release = null;
    flow.lock();
    try {
      if (more || resumedDuringBody) {
        paused = false;
        release = heldCapacity;
        heldCapacity = null;
      } else {
        paused = true;
      }
    } finally {
      flow.unlock();
    }
    if (release != null) {
      release.update(BODY_WINDOW);
    }
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) {
    end();
  }

  @Override
  public void failed(Exception cause) {
    fail(cause);
  }

  @Override
  public void releaseResources() {
    // nothing held: the body's bytes live in HttpClient's buffers and the handler's
  }

  // --- the execution's result: any thread -------------------------------------------------------

  @Override
  public void completed(Void result) {
    // the handler heard of the end from streamEnd or consumeResponse already
  }

  @Override
  public void cancelled() {
    fail(new CancellationException("exchange cancelled"));
  }

  // --- the gateway's side: any thread
  // -------------------------------------------------------------

  @Override
  public int status() {
    return status;
  }

  @Override
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public void resume() {
    CapacityChannel channel;
    flow.lock();
    try {
      if (!paused) {
        resumedDuringBody = true;
        return;
      }
      paused = false;
      channel = heldCapacity;
      heldCapacity = null;
    } finally {
      flow.unlock();
    }
    if (channel != null) {
      try {
        channel.update(BODY_WINDOW);
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  @Override
  public void abort() {
    aborted = true;
    finished.set(true);
    // a paused body gets capacity again, so the next piece arrives and consume() ends the exchange
    CapacityChannel channel;
    flow.lock();
    try {
      channel = heldCapacity;
      heldCapacity = null;
    } finally {
      flow.unlock();
    }
    if (channel != null) {
      try {
        channel.update(BODY_WINDOW);
      } catch (IOException e) {
        // the connection is gone already
      }
    }
    over();
    cancelExecution();
  }

  /**
   * The client's body failed (the client went away, or went silent): the exchange ends, reported as
   * the client's failure.
   */
  void clientFailed() {
    cancelExecution();
  }

  /** No pooled connection in time (PoolHousekeeping): the exchange ends with that failure. */
  void leaseTimedOut(Exception cause) {
    fail(cause);
    cancelExecution();
  }

  private void cancelExecution() {
    // ends an exchange still waiting for a connection; one already on the wire is ended by the
    // exceptions of consume() and the body's produce()
    Future<Void> execution = future;
    if (execution != null) {
      execution.cancel(true);
    }
  }

  private void end() {
    over();
    if (finished.compareAndSet(false, true)) {
      guarded(handler::onEnd);
    }
    resultCallback.completed(null);
  }

  private void fail(Exception cause) {
    over();
    if (finished.compareAndSet(false, true) && !aborted) {
      UpstreamException failure =
          new UpstreamException(ApacheUpstreamClient.classify(cause, body), cause);
      guarded(() -> handler.onFailure(failure));
    }
  }

  /**
   * The exchange is over, whichever way: no longer waiting for a connection, the client's body (an
   * upstream that answered early, or failed, leaves the rest unread) and the exchange's share of
   * the pool released.
   */
  private void over() {
    housekeeping.done(this);
    if (body != null) {
      body.release();
    }
    if (done.compareAndSet(false, true)) {
      onDone.run();
    }
  }

  /**
   * Runs a handler call so that nothing it throws reaches HttpClient's I/O thread (an exception
   * there stops the whole I/O reactor, every upstream connection with it); the exchange is aborted.
   *
   * @return false when the call failed
   */
  private boolean guarded(Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      handlerFailed(e);
      return false;
    }
  }

  private void handlerFailed(RuntimeException e) {
    LOG.log(Level.SEVERE, "an upstream response handler failed; exchange aborted", e);
    abort();
  }
}
