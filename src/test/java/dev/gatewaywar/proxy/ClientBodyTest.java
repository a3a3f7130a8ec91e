package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's body between the container's non-blocking input and the upstream client, with a
 * scripted input stream and a clock the test moves: no real time passes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientBodyTest {
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(60);

  private long now = 1_000;
  private final ClientBodyTimeouts timeouts = new ClientBodyTimeouts(() -> now, null);
  private final ScriptedInput in = new ScriptedInput();
  private final List<Runnable> resumed = new ArrayList<>();
  private int readyCalls;

  private ClientBody body(long length) {
    ClientBody body = new ClientBody(in, asyncStarting(resumed), length, TIMEOUT, timeouts);
    body.start(() -> readyCalls++);
    return body;
  }

  @Test
  void bytesAreReadWhenTheContainerSaysTheyAreThere() throws Exception {
    ClientBody body = body(-1);
    assertSame(body, in.listener, "non-blocking input: the body is the read listener");
    assertEquals(0, body.available());

    in.arrive("hello");
    body.onDataAvailable();

    assertEquals(1, readyCalls, "the upstream client hears of the first bytes");
    Drain out = new Drain(Integer.MAX_VALUE);
    assertFalse(body.sendTo(out), "not ended yet");
    assertEquals("hello", out.text());
    in.finish();
    body.onAllDataRead();
    assertTrue(body.sendTo(out));
  }

  @Test
  void aFullBufferStopsReadingTheClientUntilTheUpstreamTookHalf() throws Exception {
    ClientBody body = body(10_000_000);
    in.arrive(new byte[1_000_000]); // a fast client: far more than the buffer waiting

    body.onDataAvailable();

    assertEquals(
        ClientBody.MAX_BUFFER, body.available(), "bounded: the rest stays with the client");
    assertEquals(1_000_000 - ClientBody.MAX_BUFFER, in.waiting());
    body.sendTo(new Drain(ClientBody.MAX_BUFFER / 4));
    assertEquals(List.of(), resumed, "a quarter taken: still no room worth a read");

    body.sendTo(new Drain(ClientBody.MAX_BUFFER / 4));

    assertEquals(1, resumed.size(), "reading resumes on a container thread");
    resumed.get(0).run();
    assertEquals(ClientBody.MAX_BUFFER, body.available());
  }

  @Test
  void aSilentClientTimesOut() throws Exception {
    ClientBody body = body(100);
    in.arrive("abc");
    body.onDataAvailable();
    now += TIMEOUT - 1;
    timeouts.sweep();
    assertNull(body.failure(), "silent for just under the timeout");

    now += 1;
    timeouts.sweep();

    assertInstanceOf(ClientBodyTimeoutException.class, body.failure());
    assertEquals(2, readyCalls, "the upstream client hears of the failure");
    assertThrows(ClientBodyTimeoutException.class, () -> body.sendTo(new Drain(100)));
    assertEquals(0, timeouts.watched(), "a failed body is no longer watched");
  }

  @Test
  void aClientThatNeverStartsItsBodyTimesOut() {
    ClientBody body = body(100);
    now += TIMEOUT;

    timeouts.sweep();

    assertInstanceOf(ClientBodyTimeoutException.class, body.failure());
    assertEquals(1, readyCalls);
  }

  @Test
  void aBodyWaitingForTheUpstreamDoesNotTimeOut() throws Exception {
    ClientBody body = body(10_000_000);
    in.arrive(new byte[1_000_000]);
    body.onDataAvailable(); // the buffer is full: the upstream is the slow one

    now += 10 * TIMEOUT;
    timeouts.sweep();
    assertNull(body.failure());

    body.sendTo(new Drain(Integer.MAX_VALUE));
    now += TIMEOUT - 1;
    timeouts.sweep();
    assertNull(body.failure(), "the clock restarts when reading resumes");
  }

  @Test
  void aClientGoingAwayFailsTheBody() {
    ClientBody body = body(100);
    in.arrive("ab");
    body.onDataAvailable();

    body.onError(new IOException("connection reset"));

    IOException e = assertThrows(IOException.class, () -> body.sendTo(new Drain(100)));
    assertEquals("connection reset", e.getMessage());
    assertEquals(0, timeouts.watched());
  }

  @Test
  void aDiscardedBodyIsNotReadFurther() {
    ClientBody body = body(100);
    body.discard();
    in.arrive("late");

    body.onDataAvailable();

    assertEquals(4, in.waiting(), "left unread");
    assertEquals(0, readyCalls);
    assertEquals(0, timeouts.watched());
  }

  @Test
  void aTricklingClientCostsASmallBufferWhateverLengthItDeclares() {
    ClientBody body = body(ClientBody.MAX_BUFFER - 1);
    in.arrive("x");

    body.onDataAvailable();

    assertEquals(ClientBody.FIRST_BUFFER, body.bufferSize());
  }

  @Test
  void theBufferGrowsOnlyWhileTheClientIsAhead() {
    ClientBody body = body(-1);
    in.arrive(new byte[1_000_000]);

    body.onDataAvailable();

    assertEquals(ClientBody.MAX_BUFFER, body.bufferSize());
  }

  @Test
  void aSmallBodyOfKnownLengthGetsABufferOfItsSize() throws Exception {
    ClientBody body = body(5);
    in.arrive("12345");
    in.finish();

    body.onDataAvailable();

    assertEquals(6, body.available(), "five bytes and the end");
    Drain out = new Drain(Integer.MAX_VALUE);
    assertTrue(body.sendTo(out));
    assertEquals("12345", out.text());
  }

  @Test
  void aBodyGrowingPastItsLimitFailsWithoutHandingOnABytePastIt() throws Exception {
    ClientBody body = new ClientBody(in, asyncStarting(resumed), -1, TIMEOUT, timeouts, 10);
    body.start(() -> readyCalls++);
    in.arrive("0123456789");
    body.onDataAvailable();
    Drain out = new Drain(Integer.MAX_VALUE);
    assertFalse(body.sendTo(out), "at the limit: not over it");
    assertNull(body.failure());

    in.arrive("x".repeat(100_000));
    body.onDataAvailable();

    assertInstanceOf(RequestBodyTooLargeException.class, body.failure());
    assertEquals(2, readyCalls, "the upstream client hears of the failure");
    assertEquals(100_000 - 1, in.waiting(), "one byte past the limit read, no more");
    assertThrows(RequestBodyTooLargeException.class, () -> body.sendTo(out));
    assertEquals("0123456789", out.text(), "nothing past the limit handed on");
    assertEquals(0, timeouts.watched(), "a failed body is no longer watched");
  }

  /**
   * Tomcat's chunked input returns 0 from a read that took only a chunk's size line; the container
   * calls onDataAvailable again only after isReady() said false, so reading must not stop there.
   */
  @Test
  void aReadOfFramingOnlyGoesOnReading() throws Exception {
    ClientBody body = body(-1);
    in.framingFirst();
    in.arrive("hello");

    body.onDataAvailable();

    assertEquals(0, in.waiting(), "the bytes after the framing are read in the same call");
    Drain out = new Drain(Integer.MAX_VALUE);
    body.sendTo(out);
    assertEquals("hello", out.text());
  }

  private ClientBody kept(long length, int maxBody, ReplayBudget budget, boolean expectKept) {
    ClientBody body = new ClientBody(in, asyncStarting(resumed), length, TIMEOUT, timeouts);
    assertEquals(expectKept, body.keep(maxBody, budget));
    body.start(() -> readyCalls++);
    return body;
  }

  @Test
  void aKeptBodyIsHandedOutAgainFromItsFirstByte() throws Exception {
    ReplayBudget budget = new ReplayBudget(100);
    ClientBody body = kept(10, 64, budget, true);
    assertEquals(10, budget.reserved(), "a declared length is reserved up front");
    in.arrive("01234");
    body.onDataAvailable();
    Drain first = new Drain(3);
    assertFalse(body.sendTo(first));
    assertEquals("012", first.text());

    body.discard(); // the first attempt's exchange ended
    assertTrue(body.kept(), "ignored: another attempt may follow");
    assertTrue(body.rewind());
    in.arrive("56789");
    in.finish();
    body.onDataAvailable();
    Drain second = new Drain(Integer.MAX_VALUE);
    assertTrue(body.sendTo(second));
    assertEquals("0123456789", second.text(), "the whole body again, from its first byte");
    assertEquals(10, budget.reserved());

    body.stopKeeping();
    assertEquals(0, budget.reserved(), "no attempt follows: the reservation is given back");
    assertFalse(body.rewind());
  }

  @Test
  void aChunkedBodyPastMaxBodyIsNoLongerKeptAndStreamsOn() throws Exception {
    ReplayBudget budget = new ReplayBudget(1000);
    ClientBody body = kept(-1, 16, budget, true);
    in.arrive("0123456789");
    body.onDataAvailable();
    assertEquals(17, budget.reserved(), "grown as it came, up to one byte past max_body");
    Drain out = new Drain(4);
    body.sendTo(out);

    in.arrive("abcdefghij");
    body.onDataAvailable();

    assertFalse(body.kept());
    assertEquals(0, budget.reserved());
    assertFalse(body.rewind(), "not sent again");
    in.finish();
    body.onAllDataRead();
    Drain rest = new Drain(Integer.MAX_VALUE);
    assertTrue(body.sendTo(rest));
    assertEquals("0123", out.text());
    assertEquals("456789abcdefghij", rest.text(), "streamed on without a byte lost");
  }

  @Test
  void aBodyFindingNoRoomInTheBudgetIsNotKept() throws Exception {
    ReplayBudget budget = new ReplayBudget(50);
    kept(100, 1024, budget, false);
    kept(2000, 1024, budget, false); // over max_body: decided up front
    assertEquals(0, budget.reserved());

    ClientBody chunked = kept(-1, 1024, budget, true);
    in.arrive("x".repeat(60));
    chunked.onDataAvailable();
    assertFalse(chunked.kept(), "its first growth found no room");
    assertEquals(0, budget.reserved());
    Drain out = new Drain(Integer.MAX_VALUE);
    chunked.sendTo(out);
    assertEquals(60, out.text().length(), "sent all the same");
  }

  @Test
  void theRequestsEndGivesTheReservationBackWhateverTheAttemptsDid() {
    ReplayBudget budget = new ReplayBudget(100);
    ClientBody body = kept(40, 64, budget, true);
    in.arrive("x".repeat(20));
    body.onDataAvailable();
    body.discard();
    assertEquals(40, budget.reserved());

    body.onError((jakarta.servlet.AsyncEvent) null); // the client went away

    assertEquals(0, budget.reserved());
    assertEquals(0, body.reservedBytes());
    assertFalse(body.rewind());
  }

  @Test
  void aKeptBodyStillPausesReadingWhileTheUpstreamIsBehind() throws Exception {
    ReplayBudget budget = new ReplayBudget(4 * 1024 * 1024);
    ClientBody body = kept(2_000_000, 2_000_000, budget, true);
    in.arrive(new byte[1_000_000]);

    body.onDataAvailable();

    assertEquals(ClientBody.MAX_BUFFER, body.available(), "no more waits unsent than otherwise");
    body.sendTo(new Drain(ClientBody.MAX_BUFFER / 2));
    assertEquals(1, resumed.size());
    resumed.get(0).run();
    assertEquals(ClientBody.MAX_BUFFER, body.available());
    assertTrue(body.rewind());
    assertEquals(ClientBody.MAX_BUFFER * 3 / 2, body.available(), "all kept, from the first byte");
  }

  /**
   * Tomcat, finding a chunked body's end in a read made on a thread it did not dispatch (the one
   * {@link AsyncContext#start} gave the resumed read), hands {@code onAllDataRead} to one of its
   * own threads and waits inside that read for the connection's lock, which the other thread holds
   * while it calls the listener. Here the container's read waits for {@code onAllDataRead} on
   * another thread, as long as it does in Tomcat.
   */
  @Test
  void theContainerEndingTheBodyDuringAResumedReadDoesNotWaitForIt() throws Exception {
    ClientBody body = body(-1);
    in.arrive(new byte[ClientBody.MAX_BUFFER + 1_000]);
    body.onDataAvailable(); // full: 1,000 bytes stay with the client
    Drain out = new Drain(Integer.MAX_VALUE);
    body.sendTo(out); // all taken: reading resumes
    assertEquals(1, resumed.size());
    in.finish();
    AtomicBoolean allDataReadReturned = new AtomicBoolean();
    in.duringRead =
        () -> {
          Thread container = new Thread(body::onAllDataRead, "container");
          container.start();
          container.join(5_000);
          allDataReadReturned.set(!container.isAlive());
        };

    Thread resumedRead = new Thread(resumed.get(0), "resumed");
    resumedRead.start();
    resumedRead.join(10_000);

    assertTrue(allDataReadReturned.get(), "onAllDataRead waited for the read it interrupted");
    assertTrue(body.sendTo(out), "the body ends, after the bytes the read brought");
    assertEquals(ClientBody.MAX_BUFFER + 1_000, out.got.size());
  }

  @Test
  void aRequestEndingDuringAReadDropsWhatItRead() throws Exception {
    ClientBody body = body(-1);
    in.arrive(new byte[ClientBody.MAX_BUFFER + 1_000]);
    body.onDataAvailable();
    Drain out = new Drain(Integer.MAX_VALUE);
    body.sendTo(out);
    in.duringRead = () -> body.onComplete(null);

    resumed.get(0).run();

    assertEquals(0, body.available(), "nothing waits once the request is over");
    assertEquals(0, body.bufferSize());
  }

  /** An AsyncContext whose start(Runnable) queues the runnable for the test to run. */
  private static AsyncContext asyncStarting(List<Runnable> started) {
    return (AsyncContext)
        Proxy.newProxyInstance(
            AsyncContext.class.getClassLoader(),
            new Class<?>[] {AsyncContext.class},
            (proxy, method, args) -> {
              if (method.getName().equals("start")) {
                started.add((Runnable) args[0]);
                return null;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  /** A connection that takes {@code room} bytes in all, then has no room. */
  private static final class Drain implements RequestBody.Sink {
    private int room;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();

    Drain(int room) {
      this.room = room;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(room, src.remaining());
      byte[] b = new byte[n];
      src.get(b);
      got.write(b, 0, n);
      room -= n;
      return n;
    }

    String text() {
      return got.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  /** Non-blocking input with what the test made arrive; ready while anything is waiting. */
  private static final class ScriptedInput extends ServletInputStream {
    private final ByteArrayOutputStream arrived = new ByteArrayOutputStream();
    private int taken;
    private boolean finished;
    private int framingReads;
    ReadListener listener;

    /** Runs once, inside the next read that brings bytes. */
    volatile Interruptible duringRead;

    /** The next read takes only framing (a chunk's size line): 0 bytes, still ready. */
    void framingFirst() {
      framingReads++;
    }

    void arrive(String text) {
      arrive(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    void arrive(byte[] bytes) {
      arrived.writeBytes(bytes);
    }

    void finish() {
      finished = true;
    }

    int waiting() {
      return arrived.size() - taken;
    }

    @Override
    public boolean isFinished() {
      return finished && waiting() == 0;
    }

    @Override
    public boolean isReady() {
      return waiting() > 0;
    }

    @Override
    public void setReadListener(ReadListener readListener) {
      listener = readListener;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("reads arrays");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (!isReady()) {
        throw new IllegalStateException("read while not ready");
      }
      if (framingReads > 0) {
        framingReads--;
        return 0;
      }
      int n = Math.min(len, waiting());
      System.arraycopy(arrived.toByteArray(), taken, b, off, n);
      taken += n;
      Interruptible hook = duringRead;
      duringRead = null;
      if (hook != null) {
        try {
          hook.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return n;
    }
  }

  private interface Interruptible {
    void run() throws InterruptedException;
  }
}
