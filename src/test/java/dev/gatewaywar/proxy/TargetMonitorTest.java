package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.testing.LogCapture;
import dev.gatewaywar.testing.ReleaseCountingClient;
import dev.gatewaywar.testing.TestUpstream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active health checks against a real upstream, and a target's health across reloads. */
class TargetMonitorTest {
  private final UpstreamClient client = UpstreamClient.of(UpstreamConfig.DEFAULT);
  private final TargetMonitor monitor = new TargetMonitor(client, Clock.systemUTC());
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger checks = new AtomicInteger();
  private final TestUpstream upstream;

  TargetMonitorTest() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle(
        "/healthz",
        e -> {
          checks.incrementAndGet();
          TestUpstream.respond(e, status.get(), "h");
        });
  }

  /** Waits until the upstream has answered {@code n} more checks. */
  private void moreChecks(int n) throws InterruptedException {
    int target = checks.get() + n;
    waitFor(() -> checks.get() >= target, n + " more checks");
  }

  @AfterEach
  void close() {
    monitor.close();
    client.close();
    upstream.close();
  }

  private UpstreamTargets open(String checkPath) {
    return open(monitor, checkPath);
  }

  private UpstreamTargets open(TargetMonitor monitor, String checkPath) {
    UpstreamSet set =
        new UpstreamSet(
            List.of(new UpstreamSet.Target(URI.create(upstream.url()), 1)),
            UpstreamSet.Balance.ROUND_ROBIN,
            Optional.of(
                new UpstreamSet.HealthCheck(
                    checkPath, Duration.ofMillis(30), Duration.ofMillis(500), 2, 2)),
            Optional.empty());
    return monitor.open(
        new RouteConfig(
            PathPattern.parse("/api/*"),
            Set.of(),
            set,
            List.of(),
            Optional.empty(),
            false,
            Map.of(),
            Optional.empty(),
            dev.gatewaywar.routing.PathRewrite.NONE,
            1));
  }

  private static void waitFor(BooleanSupplier c, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void failedChecksTakeATargetOutAndGoodOnesBringItBackEachChangeLoggedOnce() throws Exception {
    try (LogCapture log = LogCapture.of(TargetHealth.class)) {
      UpstreamTarget target = open("/healthz").targets().get(0);
      assertTrue(target.healthy(), "a target starts healthy");
      status.set(503);
      waitFor(() -> !target.healthy(), "out after failed checks");
      moreChecks(4);
      status.set(302);
      waitFor(target::healthy, "back after good checks (3xx counts as up)");
      moreChecks(4);
      List<String> messages = log.records().stream().map(LogRecord::getMessage).toList();
      assertEquals(2, messages.size(), messages.toString());
      assertTrue(messages.get(0).contains("out of rotation"), messages.get(0));
      assertTrue(messages.get(1).contains("back in rotation"), messages.get(1));
    }
  }

  @Test
  void aRefusingTargetIsOut() throws Exception {
    UpstreamTarget target = open("/healthz").targets().get(0);
    upstream.stop(0);
    waitFor(() -> !target.healthy(), "out once its connections are refused");
  }

  @Test
  void healthOutlivesAReloadThatKeepsRouteAndTarget() throws Exception {
    UpstreamTargets before = open("/healthz");
    status.set(500);
    waitFor(() -> !before.targets().get(0).healthy(), "out");
    UpstreamTargets after = open("/healthz"); // the reloaded configuration, built first
    before.close(); // then the old one retired
    assertFalse(after.targets().get(0).healthy(), "still out: health kept across the reload");
    status.set(200);
    waitFor(() -> after.targets().get(0).healthy(), "the checks go on for the new configuration");
    status.set(500);
    waitFor(() -> !after.targets().get(0).healthy(), "out again");
    after.close();
    UpstreamTargets fresh = open("/healthz");
    assertTrue(fresh.targets().get(0).healthy(), "once no configuration had it, it starts anew");
  }

  /**
   * The settings the checks are sent with hold the route's TLS pool, if any: replaced settings are
   * released at once, the last ones when no configuration has the target any more, and what is left
   * when the monitor closes.
   */
  @Test
  void theChecksSettingsAreReleasedWhenReplacedAndWhenTheTargetGoes() throws Exception {
    ReleaseCountingClient counting = new ReleaseCountingClient(client);
    TargetMonitor own = new TargetMonitor(counting, Clock.systemUTC());
    try {
      UpstreamTargets before = open(own, "/healthz");
      moreChecks(1);
      UpstreamTargets after = open(own, "/healthz"); // the reloaded configuration, built first
      assertEquals(1, counting.released(), "the replaced settings");
      before.close();
      assertEquals(1, counting.released(), "the newer configuration's settings are in use");
      moreChecks(1);
      after.close();
      assertEquals(2, counting.released(), "no configuration has the target");
      open(own, "/healthz");
      own.close();
      assertEquals(3, counting.released(), "the monitor closed");
    } finally {
      own.close();
    }
  }
}
