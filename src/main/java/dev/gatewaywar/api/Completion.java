package dev.gatewaywar.api;

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

  /** How a response ended, as far as the client is concerned. */
  public enum Ending {
    /** Everything the response declared reached the client's connection. */
    COMPLETE,
    /** The upstream failed after the response had started: the client's connection was cut. */
    UPSTREAM_CUT,
    /** The client's connection failed or went away before the response was complete. */
    CLIENT_CUT
  }

  private final List<Runnable> actions = new ArrayList<>(4);
  private boolean done;
  private Ending ending = Ending.COMPLETE;

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

  /**
   * How {@code request}'s response ended: for the actions {@link #whenComplete} runs. A response
   * written on the request's own thread is {@link Ending#COMPLETE} as far as the gateway knows.
   */
  public static Ending ending(ServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof Completion completion
        ? completion.ending()
        : Ending.COMPLETE;
  }

  private synchronized Ending ending() {
    return ending;
  }

  /** Runs every registered action once; later registrations run at once. Idempotent. */
  public void complete() {
    end(Ending.COMPLETE);
  }

  /**
   * Like {@link #complete()}, for a response that ended as {@code how} says; only the first call
   * counts, so an ending the proxy found first is not overwritten by the container's.
   */
  public void end(Ending how) {
    List<Runnable> toRun;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      ending = how;
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
