package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.proxy.TargetMonitor;
import dev.gatewaywar.proxy.UpstreamClient;
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
  private final WebappParts parts =
      new WebappParts(
          registry,
          servletContext(),
          client,
          GatewayMetrics.create(),
          new Readiness(),
          new TargetMonitor(client, java.time.Clock.systemUTC()),
          new LiveStatus(GatewayMetrics.create(), java.time.Instant::now));

  @AfterEach
  void closeUpstream() {
    parts.targets().close();
    parts.upstream().close();
  }

  private GatewayRuntime runtime(String drainTimeout) throws Exception {
    return GatewayRuntime.build(
        new ConfigLoader(registry, name -> null)
            .parse(
                "server:\n  drain_timeout: "
                    + drainTimeout
                    + "\nroutes:\n  - path: /x\n    target: http://127.0.0.1:1\n",
                "test"),
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
