package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.ClientBodyTimeoutException;
import dev.gatewaywar.proxy.RequestBody;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection pool's limits against real upstreams on loopback. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApacheUpstreamClientTest {
  private static final TimeoutsConfig SHORT =
      new TimeoutsConfig(Duration.ofMillis(300), Duration.ofSeconds(10));

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch held = new CountDownLatch(1);
  private TestUpstream slow;
  private TestUpstream fast;
  // one connection per upstream, two in all; a client may hold two per upstream
  private final ApacheUpstreamClient client =
      new ApacheUpstreamClient(new UpstreamConfig(2, 1, Duration.ofSeconds(60), 2));
  private final UpstreamClient.RouteSettings shortTimeouts = client.settingsFor(SHORT);

  @BeforeEach
  void start() throws Exception {
    slow = TestUpstream.start();
    slow.handle(
        "/",
        e -> {
          held.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.ok(e);
        });
    fast = TestUpstream.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
    slow.close();
    fast.close();
  }

  private UpstreamRequest get(TestUpstream upstream) {
    return get(upstream, "192.0.2.1");
  }

  private UpstreamRequest get(TestUpstream upstream, String client) {
    return new UpstreamRequest(
        "GET", URI.create(upstream.url() + "/x"), List.of(), null, client, shortTimeouts);
  }

  private UpstreamRequest post(TestUpstream upstream, RequestBody body) {
    return new UpstreamRequest(
        "POST", URI.create(upstream.url() + "/x"), List.of(), body, "192.0.2.1", shortTimeouts);
  }

  /** The status once the whole body arrived, or the failure. */
  private CompletableFuture<Integer> send(UpstreamRequest request) {
    return send(client, request);
  }

  private static CompletableFuture<Integer> send(
      ApacheUpstreamClient client, UpstreamRequest request) {
    StatusWhenComplete handler = new StatusWhenComplete();
    client.send(request, handler);
    return handler.result;
  }

  @Test
  void anUpstreamHoldingAllItsConnectionsGets503sWhileOthersAreServed() throws Exception {
    CompletableFuture<Integer> first = send(get(slow));
    assertTrue(held.await(10, TimeUnit.SECONDS), "the slow upstream got the first request");

    long start = System.nanoTime();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> send(get(slow)).get(10, TimeUnit.SECONDS));
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;

    UpstreamException failure = assertInstanceOf(UpstreamException.class, e.getCause());
    assertEquals(UpstreamFailure.POOL_EXHAUSTED, failure.failure());
    assertEquals(GatewayError.SERVICE_UNAVAILABLE, failure.failure().error());
    assertTrue(waitedMillis < 5_000, "waited " + waitedMillis + " ms, about timeouts.connect");
    assertEquals(200, send(get(fast)).get(10, TimeUnit.SECONDS));
    release.countDown();
    assertEquals(200, first.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aBodyThatHasNotBegunTakesNoConnection() throws Exception {
    // the only connection to `fast` stays free while the client has sent no byte of its body
    HeldBody body = new HeldBody("late but whole");
    CompletableFuture<Integer> upload = send(post(fast, body));

    assertEquals(200, send(get(fast)).get(10, TimeUnit.SECONDS), "the pool's one connection");

    body.begin();
    assertEquals(200, upload.get(10, TimeUnit.SECONDS));
    assertEquals("GET", fast.nextRequest().method());
    assertEquals(14, fast.nextRequest().bodyBytes(), "the body, whole");
  }

  @Test
  void aBodyTimingOutBeforeItBeganFailsWithoutAConnection() throws Exception {
    HeldBody body = new HeldBody("never sent");
    CompletableFuture<Integer> upload = send(post(fast, body));

    body.fail(new ClientBodyTimeoutException(300));

    ExecutionException e =
        assertThrows(ExecutionException.class, () -> upload.get(10, TimeUnit.SECONDS));
    UpstreamException failure = assertInstanceOf(UpstreamException.class, e.getCause());
    assertEquals(UpstreamFailure.CLIENT_BODY_TIMEOUT, failure.failure());
    assertEquals(GatewayError.REQUEST_TIMEOUT, failure.failure().error());
    assertTrue(fast.noRequestWithin(300), "the upstream heard nothing of it");
  }

  @Test
  void aClientOverItsShareGets503AtOnceWhileAnotherClientIsServed() throws Exception {
    ApacheUpstreamClient shared =
        new ApacheUpstreamClient(new UpstreamConfig(8, 4, Duration.ofSeconds(60), 1));
    try {
      CompletableFuture<Integer> first = send(shared, get(slow, "203.0.113.1"));
      assertTrue(held.await(10, TimeUnit.SECONDS), "the slow upstream got the first request");

      long start = System.nanoTime();
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> send(shared, get(slow, "203.0.113.1")).get(10, TimeUnit.SECONDS));
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      UpstreamException failure = assertInstanceOf(UpstreamException.class, e.getCause());
      assertEquals(UpstreamFailure.CLIENT_SHARE_EXHAUSTED, failure.failure());
      assertEquals(GatewayError.SERVICE_UNAVAILABLE, failure.failure().error());
      assertTrue(
          waitedMillis < 250, "refused at once, not after timeouts.connect: " + waitedMillis);

      CompletableFuture<Integer> other = send(shared, get(slow, "203.0.113.2"));
      assertEquals(200, send(shared, get(fast, "203.0.113.1")).get(10, TimeUnit.SECONDS));
      release.countDown();
      assertEquals(200, first.get(10, TimeUnit.SECONDS));
      assertEquals(200, other.get(10, TimeUnit.SECONDS));
      // its share came back with the answer
      assertEquals(200, send(shared, get(slow, "203.0.113.1")).get(10, TimeUnit.SECONDS));
    } finally {
      shared.close();
    }
  }

  /** A body whose client sends nothing until the test says so, then all of it at once. */
  private static final class HeldBody implements RequestBody {
    private final byte[] bytes;
    private Runnable ready;
    private ByteBuffer left;
    private IOException failure;

    HeldBody(String text) {
      this.bytes = text.getBytes(StandardCharsets.US_ASCII);
    }

    synchronized void begin() {
      left = ByteBuffer.wrap(bytes);
      notifyReady();
    }

    void fail(IOException e) {
      synchronized (this) {
        failure = e;
      }
      notifyReady();
    }

    private void notifyReady() {
      Runnable r;
      synchronized (this) {
        r = ready;
      }
      r.run();
    }

    @Override
    public long length() {
      return bytes.length;
    }

    @Override
    public synchronized void start(Runnable ready) {
      this.ready = ready;
    }

    @Override
    public synchronized int available() {
      return left == null ? 0 : left.remaining() + 1;
    }

    @Override
    public synchronized boolean sendTo(Sink out) throws IOException {
      if (failure != null) {
        throw failure;
      }
      if (left == null) {
        return false;
      }
      while (left.hasRemaining() && out.write(left) > 0) {
        // until the connection takes no more
      }
      return !left.hasRemaining();
    }

    @Override
    public synchronized IOException failure() {
      return failure;
    }

    @Override
    public void discard() {
      // nothing held
    }
  }
}
