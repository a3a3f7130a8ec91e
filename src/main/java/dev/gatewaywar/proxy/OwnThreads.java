package dev.gatewaywar.proxy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/** Stopping the webapp's own background threads so none is left when the webapp is undeployed. */
final class OwnThreads {
  private static final Logger LOG = Logger.getLogger(OwnThreads.class.getName());

  private OwnThreads() {}

  /**
   * A scheduler with one daemon thread named {@code name}, remembered in {@code thread} for {@link
   * #stop}; cancelled tasks leave its queue at once.
   */
  static ScheduledThreadPoolExecutor scheduler(String name, AtomicReference<Thread> thread) {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              thread.set(t);
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  /**
   * Stops {@code executor} and waits (5 s at most) for its thread to end. An executor counts as
   * terminated just before its thread ends, and a container looking for threads the webapp left
   * running looks right after: so the thread itself is joined too. The caller's interrupt is kept.
   *
   * @param thread the executor's one thread, or null if it never started one
   */
  static void stop(ExecutorService executor, Thread thread, String what) {
    executor.shutdownNow();
    boolean interrupted = Thread.interrupted();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS) || !joined(thread)) {
        LOG.warning(what + " thread still running 5 s after close");
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean joined(Thread t) throws InterruptedException {
    if (t != null) {
      t.join(5_000);
      return !t.isAlive();
    }
    return true;
  }
}
