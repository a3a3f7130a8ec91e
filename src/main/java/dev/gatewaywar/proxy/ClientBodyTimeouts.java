package dev.gatewaywar.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Ends the request bodies whose client has sent nothing for their route's {@code
 * timeouts.client_body}: one thread looks at the bodies being read every {@link #SWEEP_MILLIS}, so
 * a timeout is honoured to within that. A body whose reading is paused because the upstream is
 * slower than the client is not idle on the client's account and does not time out. The set holds
 * only bodies being read: a body leaves it at its end, failure or discard.
 */
public final class ClientBodyTimeouts implements AutoCloseable {
  static final long SWEEP_MILLIS = 100;

  private final Set<ClientBody> reading = ConcurrentHashMap.newKeySet();
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService sweeper;

  /**
   * The sweeper's thread, joined at close: an executor counts as terminated just before its thread
   * ends, and a container looking for threads the webapp left running looks right after.
   */
  private final AtomicReference<Thread> sweeperThread;

  /**
   * @param sweeper runs {@link #sweep} every {@link #SWEEP_MILLIS}; null: the caller sweeps
   */
  ClientBodyTimeouts(LongSupplier nanoTime, ScheduledExecutorService sweeper) {
    this(nanoTime, sweeper, new AtomicReference<>());
  }

  private ClientBodyTimeouts(
      LongSupplier nanoTime,
      ScheduledExecutorService sweeper,
      AtomicReference<Thread> sweeperThread) {
    this.nanoTime = nanoTime;
    this.sweeper = sweeper;
    this.sweeperThread = sweeperThread;
    if (sweeper != null) {
      sweeper.scheduleWithFixedDelay(
          this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Starts the sweeping thread; {@link #close} ends it. */
  public static ClientBodyTimeouts start() {
    AtomicReference<Thread> thread = new AtomicReference<>();
    return new ClientBodyTimeouts(
        System::nanoTime,
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gateway-client-body-timeouts");
              t.setDaemon(true);
              thread.set(t);
              return t;
            }),
        thread);
  }

  long now() {
    return nanoTime.getAsLong();
  }

  void watch(ClientBody body) {
    reading.add(body);
  }

  void forget(ClientBody body) {
    reading.remove(body);
  }

  /** Number of bodies being watched. */
  int watched() {
    return reading.size();
  }

  void sweep() {
    long now = nanoTime.getAsLong();
    for (ClientBody body : reading) {
      body.expireIfIdle(now);
    }
  }

  /** Stops the sweeping thread and waits (5 s at most) for it to end. */
  @Override
  public void close() {
    if (sweeper == null) {
      return;
    }
    OwnThreads.stop(sweeper, sweeperThread.get(), "client body timeouts");
  }
}
