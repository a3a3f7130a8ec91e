package dev.gatewaywar.proxy;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client's request body read with the servlet API's non-blocking input: the container calls
 * {@link #onDataAvailable()} when bytes have arrived, they are read while {@code isReady()} says so
 * into a buffer of at most {@link #MAX_BUFFER}, and the upstream client drains that buffer as its
 * connection takes them ({@link #sendTo}). No thread waits for a slow client (a client sending a
 * byte every few seconds costs its buffer, which starts small, and nothing else), and none waits
 * for a slow upstream either: when the buffer is full, reading stops (the client's TCP window
 * fills, so the client slows down) until the upstream has taken half of it; reading then resumes on
 * a container thread ({@link AsyncContext#start}), never on the upstream client's, whose locks a
 * container call must not be made under.
 *
 * <p>Also the request's {@link AsyncListener}: however the request ends, reading stops. State is
 * guarded by {@link #lock}; the upstream client's {@code ready} callback runs with it released.
 */
final class ClientBody implements RequestBody, ReadListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(ClientBody.class.getName());

  /**
   * The most of a body held at once, reached only while the client is faster than the upstream
   * (like the ~320 KiB a download may queue, ResponseRelay). Reading resumes when half of it is
   * free, on another thread: at 64 KiB, those hand-offs cost a 1 GiB upload about 0.3 s more CPU
   * than the blocking copy did; at 256 KiB, about the same (bench/README, section 13).
   */
  static final int MAX_BUFFER = 256 * 1024;

  /**
   * Every body's buffer starts with this much (or its length, when smaller), grown while it fills.
   */
  static final int FIRST_BUFFER = 8 * 1024;

  private static final byte[] NONE = new byte[0];

  private final ServletInputStream in;
  private final AsyncContext async;
  private final long length;
  private final long idleNanos;
  private final ClientBodyTimeouts timeouts;
  private final long max;

  private final ReentrantLock lock = new ReentrantLock();
  private byte[] buffer = NONE;
  private int start;
  private int end;
  private boolean ended;
  private boolean full;
  private boolean discarded;
  private IOException failure;
  private long lastProgress;
  private long received;
  private Runnable ready = () -> {};

  /**
   * @param length the body's length (not 0), or -1 when unknown
   * @param idleNanos {@code timeouts.client_body}: the longest wait for the client's next byte
   */
  ClientBody(
      ServletInputStream in,
      AsyncContext async,
      long length,
      long idleNanos,
      ClientBodyTimeouts timeouts) {
    this(in, async, length, idleNanos, timeouts, Long.MAX_VALUE);
  }

  /**
   * @param max the most bytes the client may send ({@link dev.gatewaywar.api.BodyLimit}): one more
   *     fails the body with a {@link RequestBodyTooLargeException}, so its exchange ends (413 when
   *     no response has started) and no byte past {@code max} goes upstream
   */
  ClientBody(
      ServletInputStream in,
      AsyncContext async,
      long length,
      long idleNanos,
      ClientBodyTimeouts timeouts,
      long max) {
    this.in = in;
    this.async = async;
    this.length = length;
    this.idleNanos = idleNanos;
    this.timeouts = timeouts;
    this.max = max;
  }

  // --- the upstream client's side ---------------------------------------------------------------

  @Override
  public long length() {
    return length;
  }

  @Override
  public void start(Runnable ready) {
    lock.lock();
    try {
      this.ready = ready;
      lastProgress = timeouts.now();
    } finally {
      lock.unlock();
    }
    timeouts.watch(this);
    in.setReadListener(this);
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return end - start + (ended || failure != null ? 1 : 0);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean sendTo(Sink out) throws IOException {
    boolean resume = false;
    boolean done;
    lock.lock();
    try {
      if (failure != null) {
        // never complete a body the client did not finish: the exchange fails instead
        throw failure;
      }
      while (end > start) {
        int n = out.write(ByteBuffer.wrap(buffer, start, end - start));
        if (n <= 0) {
          break;
        }
        start += n;
      }
      if (start == end) {
        start = 0;
        end = 0;
      }
      // half the buffer free before reading again: one hand-off per half buffer, not per write
      if (full && !discarded && buffer.length - (end - start) >= buffer.length / 2) {
        full = false;
        resume = true;
        lastProgress = timeouts.now();
      }
      done = ended && start == end;
    } finally {
      lock.unlock();
    }
    if (resume) {
      resumeReading();
    }
    return done;
  }

  /** Whether the client's whole body has been read (it may not all have been sent on yet). */
  boolean complete() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** The buffer's current size: what this body costs while it waits. */
  int bufferSize() {
    lock.lock();
    try {
      return buffer.length;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public IOException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void discard() {
    lock.lock();
    try {
      discarded = true;
      buffer = NONE;
      start = 0;
      end = 0;
    } finally {
      lock.unlock();
    }
    timeouts.forget(this);
  }

  // --- the container's side ---------------------------------------------------------------------

  @Override
  public void onDataAvailable() {
    read();
  }

  @Override
  public void onAllDataRead() {
    over(null);
  }

  @Override
  public void onError(Throwable t) {
    over(t instanceof IOException io ? io : new IOException(t));
  }

  @Override
  public void onComplete(AsyncEvent event) {
    discard();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    discard();
  }

  @Override
  public void onError(AsyncEvent event) {
    discard();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted: the proxy starts async once per request
  }

  /**
   * Called by {@link ClientBodyTimeouts}: fails the body when the client has been silent too long.
   */
  void expireIfIdle(long now) {
    lock.lock();
    try {
      if (ended || failure != null || discarded) {
        timeouts.forget(this);
        return;
      }
      if (full || now - lastProgress < idleNanos) {
        return; // paused for the upstream's sake, or not silent for long enough
      }
      failure = new ClientBodyTimeoutException(idleNanos / 1_000_000);
    } finally {
      lock.unlock();
    }
    LOG.fine(() -> "client sent no body byte for " + idleNanos / 1_000_000 + " ms");
    after(true);
  }

  // --- inside -----------------------------------------------------------------------------------

  /** Reads while the client has bytes and the buffer has room; any container thread. */
  private void read() {
    boolean news;
    try {
      news = readWhileReady();
    } catch (IOException e) {
      over(e);
      return;
    }
    after(news);
  }

  /**
   * @return true when something was read (or the end reached)
   */
  private boolean readWhileReady() throws IOException {
    boolean news = false;
    lock.lock();
    try {
      while (!ended && failure == null && !discarded) {
        if (in.isFinished()) {
          ended = true;
          return true;
        }
        if (!makeRoom()) {
          full = true; // sendTo resumes
          break;
        }
        if (!in.isReady()) {
          break; // the container calls onDataAvailable when more has arrived
        }
        int n = in.read(buffer, end, readSize());
        if (n < 0) {
          ended = true;
          return true;
        }
        if (n == 0) {
          // only framing was read (a chunk's size line, its end): ask isReady() again, which
          // either finds data or arms the container to call onDataAvailable when some arrives.
          // Leaving on a 0 would leave the body unread for good: the container calls again only
          // after isReady() said false.
          continue;
        }
        received += n;
        if (received > max) {
          // the bytes of this read stay unsent: the upstream never gets more than max
          failure = new RequestBodyTooLargeException(max);
          return true;
        }
        end += n;
        lastProgress = timeouts.now();
        news = true;
      }
      return news;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The room left in the buffer, but no more than one byte past the limit: enough to tell a body
   * over it, without reading further into it. Called with the lock held.
   */
  private int readSize() {
    int room = buffer.length - end;
    long allowed = max - received;
    return allowed >= room ? room : (int) allowed + 1;
  }

  /** The body ended ({@code cause} null) or failed, unless it was over already. */
  private void over(IOException cause) {
    boolean news;
    lock.lock();
    try {
      news = !ended && failure == null && !discarded;
      if (news && cause == null) {
        ended = true;
      } else if (news) {
        failure = cause;
      }
    } finally {
      lock.unlock();
    }
    after(news);
  }

  /** With the lock released: a body that is over leaves the timeouts; news go to the upstream. */
  private void after(boolean news) {
    Runnable call;
    lock.lock();
    try {
      if (ended || failure != null || discarded) {
        timeouts.forget(this);
      }
      call = news && !discarded ? ready : null;
    } finally {
      lock.unlock();
    }
    if (call != null) {
      call.run();
    }
  }

  /**
   * Room for the next read at {@link #end}: compacts, or grows the buffer up to the body's length
   * and {@link #MAX_BUFFER}. Called with the lock held.
   *
   * @return false when the buffer is full
   */
  private boolean makeRoom() {
    if (end < buffer.length) {
      return true;
    }
    if (start > 0) {
      System.arraycopy(buffer, start, buffer, 0, end - start);
      end -= start;
      start = 0;
      return true;
    }
    int most = length > 0 && length < MAX_BUFFER ? (int) length : MAX_BUFFER;
    if (buffer.length >= most) {
      return false;
    }
    // a small first buffer, whatever length the client declares: a client that trickles costs
    // that much; the buffer grows only while bytes arrive faster than the upstream takes them
    int size = buffer.length == 0 ? FIRST_BUFFER : 2 * buffer.length;
    byte[] larger = new byte[Math.min(size, most)];
    System.arraycopy(buffer, 0, larger, 0, end);
    buffer = larger;
    return true;
  }

  private void resumeReading() {
    try {
      async.start(this::read);
    } catch (IllegalStateException e) {
      LOG.log(Level.FINE, "request already ended; its body is not read further", e);
    }
  }
}
