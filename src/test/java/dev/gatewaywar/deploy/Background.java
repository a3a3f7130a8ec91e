package dev.gatewaywar.deploy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * What the deployment tests do beside the request they watch: a call run on a thread of its own (a
 * request held in flight, an undeploy, a shutdown), and a bounded wait for a condition (a log line,
 * a status).
 */
final class Background {
  private Background() {}

  /** A call that may throw, run by {@link #async}. */
  interface Call<T> {
    T call() throws Exception;
  }

  /** A condition {@link #awaitTrue} polls. */
  interface Check {
    boolean holds() throws Exception;
  }

  /**
   * Runs {@code call} on a thread of its own. Not the common fork-join pool: on 2 cores it has one
   * thread, so calls meant to overlap (a request and an undeploy) would run one after the other.
   */
  static <T> CompletableFuture<T> async(Call<T> call) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return call.call();
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        task -> new Thread(task, "deployment-test-call").start());
  }

  /** Polls {@code check} every 50 ms until it holds; fails naming {@code what} after 30 s. */
  static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 30 s");
      }
      Thread.sleep(50);
    }
  }
}
