package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.UpstreamSet.Retry;
import dev.gatewaywar.config.UpstreamSet.Retry.When;
import dev.gatewaywar.testing.TestLoaders;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A route's {@code retry:} block and {@code upstream.retry_buffer}, read strictly. */
class RetryConfigTest {

  private static GatewayConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null).parse(yaml, "test.yaml");
  }

  private static UpstreamSet upstreams(String route) throws ConfigException {
    return parse("routes:\n" + route).routes().get(0).upstreams();
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    UpstreamSet set =
        upstreams(
            """
              - path: /api/*
                target: http://a:1
                retry:
                  attempts: 3
                  when: [connect_failure, 502, 503, 504]
                  methods: [get, POST]
                  max_body: 1MiB
                  backoff: 100ms
            """);
    assertEquals(
        Optional.of(
            new Retry(
                3,
                Set.of(
                    When.CONNECT_FAILURE,
                    When.BAD_GATEWAY,
                    When.SERVICE_UNAVAILABLE,
                    When.GATEWAY_TIMEOUT),
                Set.of("GET", "POST"),
                1024 * 1024,
                Duration.ofMillis(100))),
        set.retry());
    assertFalse(set.isPlain(), "a target with retry chooses per request");
  }

  @Test
  void anEmptyBlockHasTheDefaults() throws Exception {
    UpstreamSet set = upstreams("  - path: /a\n    target: http://a:1\n    retry: {}\n");
    Retry r = set.retry().orElseThrow();
    assertEquals(1, r.attempts());
    assertEquals(Set.of(When.CONNECT_FAILURE), r.when());
    assertEquals(Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), r.methods());
    assertEquals(64 * 1024, r.maxBody());
    assertEquals(Duration.ofMillis(25), r.backoff());
    assertEquals(Retry.DEFAULT, r);
  }

  @Test
  void aRouteWithoutRetryHasTheDefaultsAndAPlainTargetStaysPlain() throws Exception {
    UpstreamSet plain = upstreams("  - path: /a\n    target: http://a:1\n");
    assertTrue(plain.isPlain());
    assertEquals(Retry.DEFAULT, plain.retryPolicy());
    UpstreamSet several =
        upstreams("  - path: /a\n    targets: [{url: http://a:1}, {url: http://b:1}]\n");
    assertEquals(Optional.empty(), several.retry());
    assertEquals(Retry.DEFAULT, several.retryPolicy());
  }

  @Test
  void theBufferBudgetIsReadFromUpstream() throws Exception {
    assertEquals(32 * 1024 * 1024, parse("routes: []\n").upstream().retryBuffer(), "default 32MiB");
    assertEquals(
        4096, parse("upstream:\n  retry_buffer: 4KiB\nroutes: []\n").upstream().retryBuffer());
    assertEquals(0, parse("upstream:\n  retry_buffer: 0B\nroutes: []\n").upstream().retryBuffer());
  }

  @Test
  void anUnknownKeyNamesItsKeyAndLine() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://a:1
                retry:
                  attempts: 2
                  on: [502]
            """);
    assertEquals(6, p.line(), p.toString());
    assertEquals("routes[0].retry.on", p.key(), p.toString());
    assertTrue(p.message().contains("unknown key"), p.toString());
  }

  @Test
  void wrongValuesNameTheirKeyAndLine() {
    List<String[]> cases =
        List.of(
            new String[] {"attempts: 0", "routes[0].retry.attempts", "between 1 and 10"},
            new String[] {"attempts: 11", "routes[0].retry.attempts", "between 1 and 10"},
            new String[] {"when: [500]", "routes[0].retry.when[0]", "connect_failure, 502"},
            new String[] {"when: 502", "routes[0].retry.when", "a list"},
            new String[] {"methods: [\"GE T\"]", "routes[0].retry.methods[0]", "not an HTTP"},
            new String[] {"max_body: 64", "routes[0].retry.max_body", "not a size"},
            new String[] {"max_body: 2048MiB", "routes[0].retry.max_body", "between"},
            new String[] {"backoff: 25", "routes[0].retry.backoff", ""},
            new String[] {"backoff: 1m", "routes[0].retry.backoff", "at most 10s"});
    for (String[] c : cases) {
      ConfigProblem p =
          onlyProblem("routes:\n  - path: /a\n    target: http://a:1\n    retry:\n      " + c[0]);
      assertEquals(5, p.line(), c[0] + ": " + p);
      assertEquals(c[1], p.key(), c[0] + ": " + p);
      assertTrue(p.message().contains(c[2]), c[0] + ": " + p);
    }
  }

  @Test
  void aWrongBudgetNamesItsKeyAndLine() {
    ConfigProblem p = onlyProblem("routes: []\nupstream:\n  retry_buffer: lots\n");
    assertEquals(3, p.line(), p.toString());
    assertEquals("upstream.retry_buffer", p.key(), p.toString());
  }

  @Test
  void retryIsNotAMiddlewareBlockOrAMapping() {
    ConfigProblem p = onlyProblem("routes:\n  - path: /a\n    target: http://a:1\n    retry: 3\n");
    assertEquals(4, p.line(), p.toString());
    assertTrue(p.key().startsWith("routes[0].retry"), p.toString());
  }
}
