package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.GatewayError;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.proxy.UpstreamResponse;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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

  @Test
  void anUpstreamHoldingAllItsConnectionsGets503sWhileOthersAreServed() throws Exception {
    CompletableFuture<Integer> first =
        CompletableFuture.supplyAsync(
            () -> {
              try (UpstreamResponse r = client.send(get(slow))) {
                r.body().readAllBytes();
                return r.status();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(held.await(10, TimeUnit.SECONDS), "the slow upstream got the first request");

    long start = System.nanoTime();
    UpstreamException e = assertThrows(UpstreamException.class, () -> client.send(get(slow)));
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;

    assertEquals(UpstreamFailure.POOL_EXHAUSTED, e.failure());
    assertEquals(GatewayError.SERVICE_UNAVAILABLE, e.failure().error());
    assertTrue(waitedMillis < 5_000, "waited " + waitedMillis + " ms, about timeouts.connect");
    try (UpstreamResponse r = client.send(get(fast))) {
      assertEquals(200, r.status());
    }
    release.countDown();
    assertEquals(200, first.get(10, TimeUnit.SECONDS));
  }
}
