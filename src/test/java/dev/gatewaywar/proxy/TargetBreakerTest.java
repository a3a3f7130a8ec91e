package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.testing.LogCapture;
import dev.gatewaywar.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A target's circuit breaker: opens on failures, lets trial calls through, closes on success. */
class TargetBreakerTest {
  /** The breaker turns half-open once its open time is strictly past. */
  private static final Duration OPEN_FOR_AND_A_BIT = Duration.ofSeconds(10).plusMillis(1);

  private final MutableClock clock = new MutableClock();
  private final TargetMonitor monitor = new TargetMonitor(null, clock);

  @AfterEach
  void close() {
    monitor.close();
  }

  private UpstreamTargets open(String... urls) {
    List<UpstreamSet.Target> targets =
        java.util.Arrays.stream(urls).map(u -> new UpstreamSet.Target(URI.create(u), 1)).toList();
    UpstreamSet set =
        new UpstreamSet(
            targets,
            UpstreamSet.Balance.ROUND_ROBIN,
            Optional.empty(),
            Optional.of(new UpstreamSet.CircuitBreaker(50, 4, Duration.ofSeconds(10))));
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

  /** One call: the failing target fails it (refused), any other answers 200. */
  private static UpstreamTarget call(UpstreamTargets targets, UpstreamTarget failing) {
    UpstreamTarget t = targets.choose("c", 0);
    if (t == null) {
      return null;
    }
    if (t == failing) {
      t.failed(UpstreamFailure.UNREACHABLE);
    } else {
      t.answered(200);
    }
    t.done();
    return t;
  }

  @Test
  void opensAfterTheWindowFailsThenTrialCallsCloseIt() {
    try (LogCapture log = LogCapture.of(UpstreamTarget.class)) {
      opensThenCloses();
      List<String> lines = log.records().stream().map(LogRecord::getMessage).toList();
      assertEquals(3, lines.size(), "each change logged once: " + lines);
      assertTrue(lines.get(0).contains("http://b of route /api/* is open"), lines.get(0));
      assertTrue(lines.get(1).contains("half-open"), lines.get(1));
      assertTrue(lines.get(2).contains("closed"), lines.get(2));
    }
  }

  private void opensThenCloses() {
    UpstreamTargets targets = open("http://a", "http://b");
    UpstreamTarget a = targets.targets().get(0);
    UpstreamTarget b = targets.targets().get(1);
    for (int i = 0; i < 8; i++) {
      call(targets, b); // alternately a and b: b fails its 4 calls, the window
    }
    assertEquals(1, b.breakerState(), "open");
    for (int i = 0; i < 10; i++) {
      assertSame(a, call(targets, null), "an open target gets no call");
    }
    clock.advance(OPEN_FOR_AND_A_BIT);
    int toB = 0;
    for (int i = 0; i < 10 && b.breakerState() != 0; i++) {
      if (call(targets, null) == b) {
        toB++;
      }
    }
    assertEquals(TargetMonitor.HALF_OPEN_CALLS, toB, "the trial calls, then closed");
    assertEquals(0, b.breakerState());
  }

  @Test
  void aFailedTrialOpensItAgain() {
    UpstreamTargets targets = open("http://a", "http://b");
    UpstreamTarget b = targets.targets().get(1);
    for (int i = 0; i < 8; i++) {
      call(targets, b);
    }
    clock.advance(OPEN_FOR_AND_A_BIT);
    UpstreamTarget trial = null;
    for (int i = 0; i < 10 && trial != b; i++) {
      trial = call(targets, b);
    }
    assertSame(b, trial, "a trial call");
    assertEquals(2, b.breakerState(), "half-open while its trials are out");
    for (int i = 0; i < 6 && b.breakerState() == 2; i++) {
      call(targets, b);
    }
    assertEquals(1, b.breakerState(), "failed trials open it again");
  }

  @Test
  void noTargetWhenEveryBreakerIsOpen() {
    UpstreamTargets targets = open("http://a");
    UpstreamTarget a = targets.targets().get(0);
    for (int i = 0; i < 4; i++) {
      call(targets, a);
    }
    assertEquals(1, a.breakerState());
    assertNull(targets.choose("c", 0));
    clock.advance(OPEN_FOR_AND_A_BIT);
    assertNotNull(targets.choose("c", 0));
  }

  @Test
  void fiveHundredsCountAndClientSideFailuresDoNot() {
    UpstreamTargets targets = open("http://a");
    UpstreamTarget a = targets.targets().get(0);
    for (int i = 0; i < 20; i++) {
      UpstreamTarget t = targets.choose("c", 0);
      t.failed(UpstreamFailure.CLIENT_ABORTED);
      t.done();
    }
    assertEquals(0, a.breakerState(), "a client going away says nothing of the target");
    for (int i = 0; i < 4; i++) {
      UpstreamTarget t = targets.choose("c", 0);
      t.answered(i % 2 == 0 ? 503 : 200);
      t.done();
    }
    assertEquals(1, a.breakerState(), "2 of 4 answers were 5xx: 50 %");
    assertEquals(0, a.inFlight());
  }
}
