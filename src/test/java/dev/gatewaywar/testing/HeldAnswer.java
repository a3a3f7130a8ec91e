package dev.gatewaywar.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An upstream answer held in the middle of its body: the head and the first half go at once, the
 * rest only when the test releases it. For a request that must be in flight while something else
 * happens (a reload, a drain, an undeploy).
 */
public final class HeldAnswer implements TestUpstream.Handler {
  private static final String FIRST_HALF = "x".repeat(100_000);
  private static final String SECOND_HALF = "y".repeat(100_000);

  /** The whole body, as a client that got every byte sees it. */
  public static final String BODY = FIRST_HALF + SECOND_HALF;

  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @Override
  public void handle(HttpExchange e) throws IOException {
    e.getResponseHeaders().set("Content-Type", "text/plain");
    e.sendResponseHeaders(200, BODY.length());
    try (OutputStream out = e.getResponseBody()) {
      out.write(FIRST_HALF.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      arrived.countDown();
      release.await(60, TimeUnit.SECONDS);
      out.write(SECOND_HALF.getBytes(StandardCharsets.US_ASCII));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits (10 s at most) until the first half has gone out; true when it has. */
  public boolean arrived() throws InterruptedException {
    return arrived.await(10, TimeUnit.SECONDS);
  }

  /** Lets the rest of the body go. */
  public void release() {
    release.countDown();
  }
}
