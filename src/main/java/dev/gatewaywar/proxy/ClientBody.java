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
 * <p>A body that may be sent again (a retry, {@link #keep}) is kept whole while it streams: its
 * buffer is not compacted, so {@link #rewind} can hand it out from its first byte to the next
 * attempt, and it grows up to the route's {@code retry.max_body} with bytes reserved from the
 * webapp's {@link ReplayBudget}. Reading still pauses when {@link #MAX_BUFFER} bytes wait unsent. A
 * body of unknown length growing past {@code max_body}, or finding the budget spent, stops being
 * kept ({@link #stopKeeping}): what was sent is dropped, its reservation given back, and it streams
 * on as any other. While kept, the attempts' {@link #discard} is ignored: the exchange ends the
 * body when no attempt follows, and the request's end always does.
 *
 * <p>Also the request's {@link AsyncListener}: however the request ends, reading stops and the
 * reservation is given back. State is guarded by {@link #lock}; the upstream client's {@code ready}
 * callback and the container's input ({@link #read}) are called with it released.
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

  /** What {@link #readOnce} says when the container has nothing for now. */
  private static final int NOT_READY = -2;

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
  private boolean started;

  /** Where a kept body's bytes are reserved; null unless {@link #keep} accepted it. */
  private ReplayBudget budget;

  /** {@code retry.max_body}: the most bytes kept. */
  private int keepLimit;

  /** Every byte read so far is in {@code buffer[0..end)}: the body can be sent again. */
  private boolean keeping;

  /** The attempts' {@link #discard} is ignored: another attempt may follow. */
  private boolean held;

  /** Bytes reserved from {@link #budget}. */
  private long reserved;

  /**
   * A reader is in the container's input with the lock released, filling {@code buffer} from {@code
   * end}: the buffer stays where it is (no reset, compaction or shrinking) until it is back.
   */
  private boolean reading;

  /** The container called {@link #onDataAvailable} while another reader was out: read again. */
  private boolean readAgain;

  /** The container said the body ended while a reader was out: it ends the body when back. */
  private boolean endedWhileReading;

  /** The copy was dropped while a reader was out: the reader shrinks the buffer when back. */
  private boolean shrinkAfterRead;

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

  /**
   * The first call starts reading the client. A later one comes from another attempt at sending a
   * kept body (after {@link #rewind}): {@code ready} replaces the previous attempt's, and runs at
   * once when something is waiting.
   */
  @Override
  public void start(Runnable ready) {
    boolean again;
    boolean news;
    lock.lock();
    try {
      this.ready = ready;
      again = started;
      started = true;
      news = end > start || ended || failure != null;
      if (!again) {
        lastProgress = timeouts.now();
      }
    } finally {
      lock.unlock();
    }
    if (!again) {
      timeouts.watch(this);
      in.setReadListener(this);
    } else if (news) {
      ready.run();
    }
  }

  /**
   * Keeps this body for another attempt, if it may be kept: at most {@code maxBody} bytes, reserved
   * from {@code budget} (a declared length up front, a body of unknown length as it grows). Called
   * before {@link #start}.
   *
   * @return false when the body is not kept (longer than {@code maxBody}, or no room in the budget)
   */
  boolean keep(int maxBody, ReplayBudget budget) {
    lock.lock();
    try {
      if (length > maxBody) {
        return false;
      }
      if (length > 0 && !budget.tryReserve(length)) {
        return false;
      }
      this.reserved = Math.max(0, length);
      this.budget = budget;
      this.keepLimit = maxBody;
      this.keeping = true;
      this.held = true;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether every byte read so far is still kept, so the body can be sent again. */
  boolean kept() {
    lock.lock();
    try {
      return keeping && failure == null && !discarded;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands the body out from its first byte again, for another attempt.
   *
   * @return false when it is no longer kept whole (nothing changes then)
   */
  boolean rewind() {
    lock.lock();
    try {
      if (!keeping || failure != null || discarded) {
        return false;
      }
      start = 0;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * No other attempt follows: the copy of what was sent is dropped, the reservation given back, and
   * the attempts' {@link #discard} counts again. Idempotent.
   */
  void stopKeeping() {
    lock.lock();
    try {
      held = false;
      if (keeping) {
        dropCopy();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes this body holds reserved in the budget. */
  long reservedBytes() {
    lock.lock();
    try {
      return reserved;
    } finally {
      lock.unlock();
    }
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
      if (start == end && !keeping && !reading) {
        start = 0;
        end = 0;
      }
      // half the buffer free before reading again: one hand-off per half buffer, not per write
      boolean room =
          keeping
              ? end - start <= MAX_BUFFER / 2
              : buffer.length - (end - start) >= buffer.length / 2;
      if (full && !discarded && room) {
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

  /** An attempt ended; ignored while the body is kept for another ({@link #stopKeeping}). */
  @Override
  public void discard() {
    lock.lock();
    try {
      if (held) {
        return;
      }
    } finally {
      lock.unlock();
    }
    end();
  }

  /** The request ended: reading stops, the buffer and any reservation go. Idempotent. */
  private void end() {
    lock.lock();
    try {
      held = false;
      keeping = false;
      discarded = true;
      buffer = NONE;
      start = 0;
      end = 0;
      releaseReserved();
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
    end();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    end();
  }

  @Override
  public void onError(AsyncEvent event) {
    end();
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

  /**
   * Reads while the client has bytes and the buffer has room; any container thread, and one started
   * by {@link #resumeReading}.
   *
   * <p>The container's input is called with {@link #lock} released. Tomcat calls this listener's
   * methods holding its lock on the connection, and takes that lock inside {@code read()} and
   * {@code isReady()} when they find the body's end on a thread other than the one it dispatched
   * (to deliver {@code onAllDataRead} on one of its own): a read resumed by {@link
   * AsyncContext#start} holding {@link #lock} would wait for the connection while the container
   * waits, in {@link #onAllDataRead}, for {@link #lock}, and the upload would hang for good.
   */
  private void read() {
    boolean news;
    try {
      news = readWhileReady();
    } catch (IOException | RuntimeException e) {
      // the container's input broke: the body fails rather than wait for bytes that cannot come
      over(e instanceof IOException io ? io : new IOException(e), true);
      return;
    }
    after(news);
  }

  /**
   * @return true when something was read (or the end reached)
   */
  private boolean readWhileReady() throws IOException {
    boolean news = false;
    while (true) {
      lock.lock();
      try {
        if (reading) {
          readAgain = true; // the reader that is out reads on when back
          return news;
        }
        if (ended || failure != null || discarded) {
          return news;
        }
        reading = true;
        readAgain = false;
      } finally {
        lock.unlock();
      }
      boolean finished = in.isFinished(); // lock released: a reader is out
      byte[] into;
      int at;
      int size;
      lock.lock();
      try {
        if (finished) {
          reading = false;
          return took(-1) | news;
        }
        if (!makeRoom()) {
          reading = false;
          news |= took(NOT_READY); // an end the container told meanwhile
          full = !ended; // sendTo resumes: it looks under this lock, so it cannot miss this
          return news;
        }
        into = buffer;
        at = end;
        size = readSize();
      } finally {
        lock.unlock();
      }
      int n = readOnce(into, at, size);
      lock.lock();
      try {
        reading = false;
        news |= took(n);
        if (n == NOT_READY && !readAgain) {
          return news; // the container calls onDataAvailable when more has arrived
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * One read from the container's input, with the lock released.
   *
   * @return bytes read into {@code into} at {@code at}, 0 for none (only framing was read), -1 at
   *     the body's end, or {@link #NOT_READY}
   */
  private int readOnce(byte[] into, int at, int size) throws IOException {
    if (!in.isReady()) {
      return NOT_READY; // isReady() said false: the container calls onDataAvailable
    }
    // a 0 means only framing was read (a chunk's size line, its end): isReady() is asked again,
    // which either finds data or arms the container to call onDataAvailable when some arrives.
    // Leaving on a 0 would leave the body unread for good: the container calls again only after
    // isReady() said false.
    return in.read(into, at, size);
  }

  /**
   * Takes in what {@link #readOnce} read, with the lock held again.
   *
   * @return true when something was read, or the end reached
   */
  private boolean took(int n) {
    boolean news = false;
    if (discarded) {
      return false; // the request ended meanwhile: these bytes go nowhere
    }
    if (n > 0 && failure == null) {
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
    if (shrinkAfterRead) {
      shrinkAfterRead = false;
      shrink();
    }
    if (keeping && end > keepLimit) {
      dropCopy(); // past retry.max_body: streamed on, not retried
    }
    if ((n == -1 || endedWhileReading) && !ended && failure == null) {
      ended = true;
      news = true;
    }
    endedWhileReading = false;
    return news;
  }

  /**
   * The room left in the buffer, but no more than one byte past the limit: enough to tell a body
   * over it, without reading further into it. Called with the lock held.
   */
  private int readSize() {
    int room = buffer.length - end;
    if (keeping) {
      room = Math.min(room, MAX_BUFFER - (end - start));
    }
    long allowed = max - received;
    return allowed >= room ? room : (int) allowed + 1;
  }

  /** The body ended ({@code cause} null) or failed, unless it was over already. */
  private void over(IOException cause) {
    over(cause, false);
  }

  /**
   * @param readerBack the reader that was out failed in the container's input, and is back
   */
  private void over(IOException cause, boolean readerBack) {
    boolean news;
    lock.lock();
    try {
      if (readerBack) {
        reading = false;
      }
      news = !ended && failure == null && !discarded;
      if (news && cause == null && reading) {
        // a reader is out with bytes that come before the end: it ends the body when back
        endedWhileReading = true;
        news = false;
      } else if (news && cause == null) {
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
    if (keeping) {
      if (end - start >= MAX_BUFFER) {
        return false; // the upstream is behind: as for a full buffer
      }
      if (end < buffer.length || growKept()) {
        return true;
      }
      dropCopy(); // no room left in the budget: streamed on, not retried
    }
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

  /**
   * Grows a kept body's buffer (doubling, from {@link #FIRST_BUFFER}) up to its declared length, or
   * one byte past {@code max_body} for a body of unknown length, so a body over it shows as such.
   * Called with the lock held.
   *
   * @return false when the buffer cannot grow: at its most, or no room in the budget
   */
  private boolean growKept() {
    long most = length > 0 ? length : keepLimit + 1L;
    if (buffer.length >= most) {
      return false;
    }
    int size = (int) Math.min(most, buffer.length == 0 ? FIRST_BUFFER : 2L * buffer.length);
    if (length < 0) {
      if (!budget.tryReserve(size - buffer.length)) {
        return false;
      }
      reserved += size - buffer.length;
    }
    byte[] larger = new byte[size];
    System.arraycopy(buffer, 0, larger, 0, end);
    buffer = larger;
    return true;
  }

  /**
   * Stops keeping the body: the bytes already sent are dropped (the buffer made no larger than what
   * waits), and the reservation given back. Called with the lock held.
   */
  private void dropCopy() {
    keeping = false;
    releaseReserved();
    if (reading) {
      shrinkAfterRead = true; // the reader out fills this buffer; it shrinks it when back
    } else {
      shrink();
    }
  }

  /** Makes the buffer no larger than what waits. Called with the lock held, no reader out. */
  private void shrink() {
    int waiting = end - start;
    if (start > 0 || buffer.length > MAX_BUFFER) {
      byte[] smaller = waiting == 0 ? NONE : new byte[waiting];
      System.arraycopy(buffer, start, smaller, 0, waiting);
      buffer = smaller;
      start = 0;
      end = waiting;
    }
  }

  private void releaseReserved() {
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  private void resumeReading() {
    try {
      async.start(this::read);
    } catch (IllegalStateException e) {
      LOG.log(Level.FINE, "request already ended; its body is not read further", e);
    }
  }
}
