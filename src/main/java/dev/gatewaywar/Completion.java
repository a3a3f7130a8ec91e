package dev.gatewaywar;

import jakarta.servlet.ServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of a request's response, for the filters that act after it (access log, metrics, span
 * end, the configuration lease). A response written on the request's own thread is complete when
 * the chain returns; the proxy's is written later, on the upstream client's threads, once the
 * request thread has long gone: the proxy then {@link #begin begins} a completion and ends it when
 * its response is done, and what filters registered with {@link #whenComplete} runs then, in the
 * order registered (innermost filter first, as the chain unwinds).
 */
public final class Completion {
  private static final Logger LOG = Logger.getLogger(Completion.class.getName());
  private static final String ATTRIBUTE = Completion.class.getName();

  private final List<Runnable> actions = new ArrayList<>(4);
  private boolean done;

  private Completion() {}

  /** Marks {@code request} as answered later; the caller must {@link #complete()} it. */
  public static Completion begin(ServletRequest request) {
    Completion completion = new Completion();
    request.setAttribute(ATTRIBUTE, completion);
    return completion;
  }

  /**
   * Runs {@code action} when {@code request}'s response is complete: now, unless the response is
   * still being written asynchronously. Call it after the chain returned normally.
   */
  public static void whenComplete(ServletRequest request, Runnable action) {
    if (request.getAttribute(ATTRIBUTE) instanceof Completion completion) {
      completion.add(action);
    } else {
      action.run();
    }
  }

  private void add(Runnable action) {
    synchronized (this) {
      if (!done) {
        actions.add(action);
        return;
      }
    }
    action.run();
  }

  /** Runs every registered action once; later registrations run at once. Idempotent. */
  public void complete() {
    List<Runnable> toRun;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      toRun = List.copyOf(actions);
      actions.clear();
    }
    for (Runnable action : toRun) {
      try {
        action.run();
      } catch (RuntimeException e) {
        // one filter's failure must not keep the others (the lease above all) from finishing
        LOG.log(Level.SEVERE, "completing a request failed", e);
      }
    }
  }
}
