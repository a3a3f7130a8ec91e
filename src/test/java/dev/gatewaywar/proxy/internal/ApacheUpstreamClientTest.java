package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.GatewayError;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection pool's limits against real upstreams on loopback. */
class ApacheUpstreamClientTest {
  private static final TimeoutsConfig SHORT =
      new TimeoutsConfig(Duration.ofMillis(300), Duration.ofSeconds(10));

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch held = new CountDownLatch(1);
  private TestUpstream slow;
  private TestUpstream fast;
  // one connection per upstream, two in all
  private final ApacheUpstreamClient client =
      new ApacheUpstreamClient(new UpstreamConfig(2, 1, Duration.ofSeconds(60)));

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

  private static UpstreamRequest get(TestUpstream upstream) {
    return new UpstreamRequest(
        "GET", URI.create(upstream.url() + "/x"), List.of(), null, -1, SHORT);
  }

  /** The status once the whole body arrived, or the failure. */
  private CompletableFuture<Integer> send(UpstreamRequest request) {
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
}
