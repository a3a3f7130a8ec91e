package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.operations.ReloadResult;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LiveStatusTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  @Test
  void credentialsInAUrlAreLeftOut() {
    // the loader refuses them in targets; the status would not show them if one ever got through
    assertEquals(
        "http://10.0.0.1:8080/base?x=1",
        LiveStatus.withoutUserInfo(URI.create("http://user:pa55@10.0.0.1:8080/base?x=1")));
    assertEquals("https://[::1]/", LiveStatus.withoutUserInfo(URI.create("https://token@[::1]/")));
    assertEquals("http://h:1/p", LiveStatus.withoutUserInfo(URI.create("http://h:1/p")));
  }

  @Test
  void beforeStartNothingIsListedAndNothingReloads() {
    LiveStatus status = new LiveStatus(GatewayMetrics.create(), () -> NOW);
    assertEquals(0, status.routes().size());
    assertEquals(0, status.config().routeCount());
    ReloadResult r = status.reload();
    assertFalse(r.ok());
    assertEquals(NOW, r.at());
  }

  @Test
  void sameDigestIsServedUnlessTheLastReloadFailed() {
    LiveStatus status = new LiveStatus(GatewayMetrics.create(), () -> NOW);
    status.loaded(null, "f", "abc", NOW);
    assertTrue(status.serves("abc"));
    assertFalse(status.serves("def"));
    status.reloaded(ReloadResult.failed(NOW, "line 3: routes: broken"));
    assertFalse(status.serves("abc"), "after a failure the same file is worth another attempt");
    assertEquals("line 3: routes: broken", status.config().lastReloadError().orElseThrow());
  }
}
