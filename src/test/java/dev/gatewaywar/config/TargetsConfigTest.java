package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.UpstreamSet.Balance;
import dev.gatewaywar.config.UpstreamSet.CircuitBreaker;
import dev.gatewaywar.config.UpstreamSet.HealthCheck;
import dev.gatewaywar.config.UpstreamSet.Target;
import dev.gatewaywar.testing.TestLoaders;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The route keys {@code targets}, {@code balance}, {@code health_check}, {@code circuit_breaker}.
 */
class TargetsConfigTest {

  private static UpstreamSet upstreams(String route) throws ConfigException {
    GatewayConfig config =
        new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null)
            .parse("routes:\n" + route, "test.yaml");
    return config.routes().get(0).upstreams();
  }

  private static ConfigProblem onlyProblem(String route) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null)
                    .parse("routes:\n" + route, "test.yaml"));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void oneTargetIsPlain() throws Exception {
    UpstreamSet set = upstreams("  - path: /a\n    target: http://h:1\n");
    assertTrue(set.isPlain());
    assertEquals(List.of(new Target(URI.create("http://h:1"), 1)), set.targets());
  }

  @Test
  void severalTargetsWithWeightsAndEveryKey() throws Exception {
    UpstreamSet set =
        upstreams(
            """
              - path: /api/*
                targets:
                  - url: http://127.0.0.1:9101
                    weight: 3
                  - url: http://127.0.0.1:9102
                balance: least_requests
                health_check:
                  path: /healthz
                  interval: 2s
                  timeout: 500ms
                  unhealthy_after: 3
                  healthy_after: 1
                circuit_breaker:
                  failure_rate: 40
                  window: 10
                  open_for: 5s
            """);
    assertEquals(
        List.of(
            new Target(URI.create("http://127.0.0.1:9101"), 3),
            new Target(URI.create("http://127.0.0.1:9102"), 1)),
        set.targets());
    assertEquals(Balance.LEAST_REQUESTS, set.balance());
    assertEquals(
        Optional.of(
            new HealthCheck("/healthz", Duration.ofSeconds(2), Duration.ofMillis(500), 3, 1)),
        set.healthCheck());
    assertEquals(
        Optional.of(new CircuitBreaker(40, 10, Duration.ofSeconds(5))), set.circuitBreaker());
    assertFalse(set.isPlain());
  }

  @Test
  void defaults() throws Exception {
    UpstreamSet set =
        upstreams(
            """
              - path: /api/*
                targets:
                  - url: http://a
                  - url: http://b
                health_check:
                  path: /up
                circuit_breaker: {}
            """);
    assertEquals(Balance.ROUND_ROBIN, set.balance());
    assertEquals(
        Optional.of(
            new HealthCheck(
                "/up",
                HealthCheck.DEFAULT_INTERVAL,
                HealthCheck.DEFAULT_TIMEOUT,
                HealthCheck.DEFAULT_UNHEALTHY_AFTER,
                HealthCheck.DEFAULT_HEALTHY_AFTER)),
        set.healthCheck());
    assertEquals(
        Optional.of(
            new CircuitBreaker(
                CircuitBreaker.DEFAULT_FAILURE_RATE,
                CircuitBreaker.DEFAULT_WINDOW,
                CircuitBreaker.DEFAULT_OPEN_FOR)),
        set.circuitBreaker());
  }

  @Test
  void theTimeoutDefaultsToAShorterInterval() throws Exception {
    UpstreamSet set =
        upstreams(
            "  - path: /a\n    target: http://a\n    health_check:\n      path: /h\n"
                + "      interval: 200ms\n");
    assertEquals(Duration.ofMillis(200), set.healthCheck().orElseThrow().timeout());
  }

  @Test
  void targetAndTargetsTogetherAreRefused() {
    ConfigProblem p =
        onlyProblem(
            """
              - path: /a
                target: http://a
                targets:
                  - url: http://b
            """);
    assertEquals(5, p.line()); // the value of targets:
    assertTrue(p.message().contains("either target or targets"), p.toString());
  }

  @Test
  void neitherTargetNorTargetsIsRefused() {
    ConfigProblem p = onlyProblem("  - path: /a\n");
    assertTrue(p.key().endsWith("target"), p.toString());
  }

  @Test
  void unknownKeyInATargetNamesItsLine() {
    ConfigProblem p =
        onlyProblem(
            """
              - path: /a
                targets:
                  - url: http://a
                    wieght: 2
            """);
    assertEquals(5, p.line());
    assertTrue(p.message().contains("did you mean 'weight'"), p.toString());
  }

  @Test
  void unknownKeysInHealthCheckAndBreakerNameTheirLines() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null)
                    .parse(
                        """
                        routes:
                          - path: /a
                            targets:
                              - url: http://a
                            health_check:
                              path: /h
                              intervall: 1s
                            circuit_breaker:
                              open: 1s
                        """,
                        "test.yaml"));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertEquals(7, e.problems().get(0).line());
    assertTrue(e.problems().get(0).key().endsWith("health_check.intervall"), e.getMessage());
    assertEquals(9, e.problems().get(1).line());
    assertTrue(e.problems().get(1).key().endsWith("circuit_breaker.open"), e.getMessage());
  }

  @Test
  void badValuesAreRefused() {
    assertTrue(
        onlyProblem("  - path: /a\n    targets:\n      - url: http://a\n    balance: random\n")
            .message()
            .contains("round_robin, least_requests, client_hash"));
    assertTrue(
        onlyProblem("  - path: /a\n    targets:\n      - url: http://a\n        weight: 0\n")
            .message()
            .contains("between 1 and"));
    assertTrue(
        onlyProblem("  - path: /a\n    targets:\n      - url: http://a\n      - url: http://a\n")
            .message()
            .contains("listed twice"));
    assertTrue(onlyProblem("  - path: /a\n    targets: []\n").message().contains("at least one"));
    assertTrue(
        onlyProblem("  - path: /a\n    targets:\n      - url: ftp://a\n")
            .message()
            .contains("http://"));
    assertTrue(
        onlyProblem(
                "  - path: /a\n    targets:\n      - url: http://a\n    health_check:\n      interval: 1s\n")
            .key()
            .endsWith("health_check.path"));
    assertTrue(
        onlyProblem(
                "  - path: /a\n    target: http://a\n    health_check:\n      path: /h\n"
                    + "      interval: 1s\n      timeout: 2s\n")
            .message()
            .contains("not be longer than interval"));
    assertTrue(
        onlyProblem(
                "  - path: /a\n    target: http://a\n    circuit_breaker:\n      failure_rate: 101\n")
            .message()
            .contains("between 1 and 100"));
  }
}
