package dev.gatewaywar.deploy;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load for the deployment tests: threads each sending a request, then the next, without pause,
 * until closed; every answer other than 200 (or a request failing) is kept as a failure.
 */
final class GetLoops implements AutoCloseable {
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger done = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  /**
   * @param loops how many requests are out at once
   * @param get one request
   */
  GetLoops(int loops, Background.Call<HttpResponse<String>> get) {
    for (int i = 0; i < loops; i++) {
      Thread t = new Thread(() -> loop(get), "get-loop-" + i);
      threads.add(t);
      t.start();
    }
  }

  private void loop(Background.Call<HttpResponse<String>> get) {
    while (running) {
      try {
        HttpResponse<String> answer = get.call();
        if (answer.statusCode() != 200) {
          failures.add(answer.statusCode() + " " + answer.body());
        }
      } catch (Exception e) {
        failures.add(e.toString());
      }
      done.incrementAndGet();
    }
  }

  /** Requests answered (or failed) so far. */
  int done() {
    return done.get();
  }

  /** Waits until {@code more} requests beyond those done now have been answered. */
  void awaitMore(int more) throws Exception {
    int target = done() + more;
    Background.awaitTrue(more + " more requests", () -> done() >= target);
  }

  /** The answers other than 200, and the requests that failed, so far. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops the loops after their current requests. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(30_000);
    }
  }
}
