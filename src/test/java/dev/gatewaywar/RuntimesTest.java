package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.proxy.TargetMonitor;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.testing.ReleaseCountingClient;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases on runtimes: what a reload retires is destroyed by its last request, or after its drain
 * timeout on the injected clock, never while a request holds it.
 */
class RuntimesTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final MiddlewareRegistry registry =
      MiddlewareRegistry.load(getClass().getClassLoader(), List.of());
  private final UpstreamClient client = UpstreamClient.of(UpstreamConfig.DEFAULT);
  private final ReleaseCountingClient counting = new ReleaseCountingClient(client);
  private final WebappParts parts =
      new WebappParts(
          registry,
          servletContext(),
          counting,
          GatewayMetrics.create(),
          new Readiness(),
          new TargetMonitor(client, java.time.Clock.systemUTC()),
          new LiveStatus(GatewayMetrics.create(), java.time.Instant::now));

  @AfterEach
  void closeUpstream() {
    parts.targets().close();
    client.close();
  }

  private GatewayRuntime runtime(String drainTimeout) throws Exception {
    return runtime(drainTimeout, "/x");
  }

  private GatewayRuntime runtime(String drainTimeout, String... paths) throws Exception {
    StringBuilder routes = new StringBuilder();
    for (String path : paths) {
      routes.append("  - path: ").append(path).append("\n    target: http://127.0.0.1:1\n");
    }
    return GatewayRuntime.build(
        new ConfigLoader(registry, name -> null)
            .parse("server:\n  drain_timeout: " + drainTimeout + "\nroutes:\n" + routes, "test"),
        parts);
  }

  @Test
  void aReplacedRuntimeNobodyUsesIsDestroyedAtOnce() throws Exception {
    GatewayRuntime first = runtime("30s");
    Runtimes runtimes = new Runtimes(first, nanos::get);
    GatewayRuntime second = runtime("30s");

    assertSame(first, runtimes.swap(second));

    assertTrue(first.isDestroyed());
    assertFalse(second.isDestroyed());
    assertSame(second, runtimes.acquire());
  }

  @Test
  void aReplacedRuntimeLivesUntilItsLastRequestEnds() throws Exception {
    GatewayRuntime first = runtime("30s");
    Runtimes runtimes = new Runtimes(first, nanos::get);
    GatewayRuntime one = runtimes.acquire();
    GatewayRuntime two = runtimes.acquire();

    runtimes.swap(runtime("30s"));
    assertFalse(first.isDestroyed());
    one.release();
    assertFalse(first.isDestroyed());
    two.release();

    assertTrue(first.isDestroyed());
    assertFalse(first.tryAcquire(), "a destroyed runtime gives no lease");
  }

  @Test
  void aRequestOutlivingTheDrainTimeoutNoLongerKeepsItsRuntime() throws Exception {
    GatewayRuntime first = runtime("5s");
    Runtimes runtimes = new Runtimes(first, nanos::get);
    GatewayRuntime stuck = runtimes.acquire();
    runtimes.swap(runtime("30s"));

    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    runtimes.reap();
    assertFalse(first.isDestroyed());
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    runtimes.reap();

    assertTrue(first.isDestroyed());
    stuck.release(); // late, and harmless
    assertEquals(0, runtimes.retiredAlive());
  }

  @Test
  void drainWaitsForRequestsOnTheCurrentAndRetiredRuntimes() throws Exception {
    Runtimes runtimes = new Runtimes(runtime("30s"), System::nanoTime);
    GatewayRuntime old = runtimes.acquire();
    runtimes.swap(runtime("30s"));
    GatewayRuntime current = runtimes.acquire();
    Thread finisher =
        new Thread(
            () -> {
              old.release();
              current.release();
            });

    finisher.start();
    assertTrue(runtimes.drain(Duration.ofSeconds(10)));
    assertTrue(runtimes.draining());
    finisher.join();
  }

  @Test
  void drainGivesUpAtItsTimeout() throws Exception {
    Runtimes runtimes = new Runtimes(runtime("30s"), System::nanoTime);
    runtimes.acquire();

    assertFalse(runtimes.drain(Duration.ofMillis(50)));
  }

  @Test
  void afterCloseNoRequestGetsARuntime() throws Exception {
    GatewayRuntime first = runtime("30s");
    Runtimes runtimes = new Runtimes(first, nanos::get);

    runtimes.close();

    assertTrue(first.isDestroyed());
    assertNull(runtimes.acquire());
  }

  /** Its routes' upstream settings (a route's TLS pool) are given back with its last request. */
  @Test
  void aRetiredRuntimeReleasesItsRoutesUpstreamSettingsWithItsLastRequest() throws Exception {
    GatewayRuntime first = runtime("30s", "/a", "/b");
    Runtimes runtimes = new Runtimes(first, nanos::get);
    GatewayRuntime lease = runtimes.acquire();
    runtimes.swap(runtime("30s", "/a", "/b"));
    assertEquals(0, counting.released(), "released under a request");

    lease.release();

    assertEquals(2, counting.released());
    runtimes.close();
    assertEquals(4, counting.released(), "the current runtime's, when the gateway stops");
  }

  @Test
  void aBuildFailingMidwayReleasesWhatItsFirstRoutesTook() {
    counting.refuseAfter(1);

    assertThrows(IllegalArgumentException.class, () -> runtime("30s", "/a", "/b"));

    assertEquals(1, counting.made());
    assertEquals(1, counting.released());
  }

  /**
   * A context that answers nothing: a runtime gets its metrics and readiness passed in, and the
   * routes here have no middleware to hand the context to.
   */
  private static ServletContext servletContext() {
    return (ServletContext)
        Proxy.newProxyInstance(
            RuntimesTest.class.getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) -> {
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
