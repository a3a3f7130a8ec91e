package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.MiddlewareCatalog;
import dev.gatewaywar.ratelimit.RateLimitConfig.Backend;
import dev.gatewaywar.ratelimit.RateLimitConfig.Key;
import dev.gatewaywar.ratelimit.RateLimitConfig.OnBackendError;
import dev.gatewaywar.testing.TestLoaders;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rate-limit keys added to the Go original's block, the route block, and trusted proxies. */
class RateLimitBlockTest {
  private static final MiddlewareCatalog ANY_MIDDLEWARE = TestLoaders.ANY_MIDDLEWARE;

  private static GatewayConfig load(String yaml) throws ConfigException {
    return new ConfigLoader(ANY_MIDDLEWARE, name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  private static void assertProblem(ConfigProblem p, int line, String key, String fragment) {
    assertAll(
        () -> assertEquals(line, p.line(), () -> "line of " + p),
        () -> assertEquals(key, p.key(), () -> "key of " + p),
        () -> assertTrue(p.message().contains(fragment), () -> p.message()));
  }

  @Test
  void goOriginalBlockGetsDefaultsForTheNewKeys() throws ConfigException {
    RateLimitConfig r =
        load("rate_limit:\n  enabled: true\n  requests_per_second: 5\n  burst: 4\n")
            .global(RateLimitBlock.INSTANCE);
    assertEquals(new RateLimitConfig(true, 5, 4), r);
    assertEquals(Key.ADDRESS, r.key());
    assertEquals(Backend.LOCAL, r.backend());
    assertEquals(OnBackendError.ALLOW, r.onBackendError());
    assertEquals(RateLimitConfig.DEFAULT_MAX_KEYS, r.maxKeys());
    assertEquals(RateLimitConfig.DEFAULT_IDLE_TIMEOUT, r.idleTimeout());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    RateLimitConfig r =
        load("""
                rate_limit:
                  enabled: true
                  requests_per_second: 2.5
                  burst: 10
                  key: header:X-Api-Key
                  backend: redis
                  redis:
                    url: redis://:s3cret@cache:6380/2
                    timeout: 50ms
                  on_backend_error: deny
                  max_keys: 5000
                  idle_timeout: 90s
                """)
            .global(RateLimitBlock.INSTANCE);
    assertEquals(2.5, r.requestsPerSecond());
    assertEquals(10, r.burst());
    assertEquals(new Key(Key.Kind.HEADER, "X-Api-Key"), r.key());
    assertEquals(Backend.REDIS, r.backend());
    assertEquals(URI.create("redis://:s3cret@cache:6380/2"), r.redis().url());
    assertEquals(Duration.ofMillis(50), r.redis().timeout());
    assertEquals(OnBackendError.DENY, r.onBackendError());
    assertEquals(5000, r.maxKeys());
    assertEquals(Duration.ofSeconds(90), r.idleTimeout());
    assertTrue(!r.toString().contains("s3cret"), "the Redis password stays out of toString");
  }

  @Test
  void routeBlockInheritsWhatItDoesNotSet() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /a
                target: http://h
                middleware: [ratelimit]
                rate_limit:
                  burst: 1
              - path: /b
                target: http://h
                middleware: [ratelimit]
            rate_limit:
              enabled: true
              requests_per_second: 3
              burst: 6
              key: header:X-Api-Key
            """);
    RateLimitConfig own = c.routes().get(0).own(RateLimitBlock.INSTANCE).orElseThrow();
    assertEquals(1, own.burst());
    assertEquals(3, own.requestsPerSecond());
    assertTrue(own.enabled());
    assertEquals(new Key(Key.Kind.HEADER, "X-Api-Key"), own.key());
    assertEquals(Optional.empty(), c.routes().get(1).own(RateLimitBlock.INSTANCE));
  }

  @Test
  void routeBlockWithoutTheMiddlewareIsAProblem() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://h
                rate_limit:
                  burst: 1
            """);
    assertProblem(p, 5, "routes[0].rate_limit", "does not list ratelimit");
  }

  @Test
  void badKeyIsAProblem() {
    assertProblem(
        onlyProblem("rate_limit:\n  key: cookie:session\n"),
        2,
        "rate_limit.key",
        "must be address, header:NAME, claim:NAME or consumer");
    assertProblem(
        onlyProblem("rate_limit:\n  key: 'header:'\n"), 2, "rate_limit.key", "header:NAME");
  }

  @Test
  void claimKeyParsesSoTheMiddlewareCanSayWhyItIsNotAvailable() throws ConfigException {
    assertEquals(
        new Key(Key.Kind.CLAIM, "sub"),
        load("rate_limit:\n  key: claim:sub\n").global(RateLimitBlock.INSTANCE).key());
  }

  @Test
  void redisBackendNeedsAUrl() {
    assertProblem(
        onlyProblem("rate_limit:\n  backend: redis\n"), 2, "rate_limit.backend", "needs redis.url");
    assertProblem(
        onlyProblem("rate_limit:\n  backend: redis\n  redis:\n    timeout: 1s\n"),
        4,
        "rate_limit.redis.url",
        "is required");
  }

  @Test
  void redisUrlMustBeRedis() {
    ConfigProblem p =
        onlyProblem("rate_limit:\n  backend: redis\n  redis:\n    url: http://user:pw@cache\n");
    assertProblem(p, 4, "rate_limit.redis.url", "redis:// or rediss://");
    assertTrue(!p.message().contains("pw"), "no password in messages");
  }

  @Test
  void unknownBackendAndPolicyAreProblems() {
    assertProblem(
        onlyProblem("rate_limit:\n  backend: memcached\n"),
        2,
        "rate_limit.backend",
        "local, redis");
    assertProblem(
        onlyProblem("rate_limit:\n  on_backend_error: retry\n"),
        2,
        "rate_limit.on_backend_error",
        "allow, deny");
  }

  @Test
  void absurdRateIsAProblem() {
    assertProblem(
        onlyProblem("rate_limit:\n  requests_per_second: 1e9\n"),
        2,
        "rate_limit.requests_per_second",
        "at most 1000000");
  }

  @Test
  void trustedProxiesAreCheckedAddresses() throws ConfigException {
    assertEquals(
        List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")),
        load("server:\n  trusted_proxies: [10.0.0.0/8, '::1']\n").server().trustedProxies());
    assertEquals(List.of(), load("server:\n  port: 1\n").server().trustedProxies());
    assertProblem(
        onlyProblem("server:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - lb.internal\n"),
        4,
        "server.trusted_proxies[1]",
        "not an IP address");
  }

  @Test
  void redisConfigWithoutRedisBackendIsKeptForRoutesThatUseIt() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /a
                target: http://h
                middleware: [ratelimit]
                rate_limit:
                  backend: redis
            rate_limit:
              redis:
                url: redis://cache
            """);
    assertEquals(Backend.LOCAL, c.global(RateLimitBlock.INSTANCE).backend());
    assertEquals(
        Backend.REDIS, c.routes().get(0).own(RateLimitBlock.INSTANCE).orElseThrow().backend());
    assertEquals(
        RateLimitConfig.RedisConfig.DEFAULT_TIMEOUT,
        c.routes().get(0).own(RateLimitBlock.INSTANCE).orElseThrow().redis().timeout());
    assertNull(load("rate_limit:\n  enabled: true\n").global(RateLimitBlock.INSTANCE).redis());
  }

  @Test
  void consumerKeyNeedsApiKeyBeforeRatelimit() throws ConfigException {
    String head =
        """
        api_key:
          keys: [{name: app, sha256: %s}]
        rate_limit:
          enabled: true
          key: consumer
        routes:
          - path: /ok
            target: http://127.0.0.1:9000
            middleware: [api_key, ratelimit]
        """
            .formatted("a".repeat(64));
    assertEquals(Key.CONSUMER, load(head).global(RateLimitBlock.INSTANCE).key());
    assertProblem(
        onlyProblem(
            head
                + "  - path: /late\n    target: http://127.0.0.1:9000\n"
                + "    middleware: [ratelimit, api_key]\n"),
        12,
        "routes[1].middleware[0]",
        "rate_limit.key 'consumer' reads the consumer api_key accepted: list api_key before"
            + " ratelimit");
  }

  @Test
  void claimKeyNeedsAuthBeforeRatelimitInEveryRouteUsingIt() throws ConfigException {
    String head =
        """
        auth:
          enabled: true
          secret: test-secret-of-at-least-32-bytes!!
        rate_limit:
          enabled: true
          key: claim:sub
        routes:
          - path: /ok
            target: http://127.0.0.1:9000
            middleware: [auth, ratelimit]
        """;
    assertEquals(1, load(head).routes().size());

    // line 13 holds the second route's middleware list
    assertProblem(
        onlyProblem(
            head
                + "  - path: /late\n    target: http://127.0.0.1:9000\n"
                + "    middleware: [ratelimit, auth]\n"),
        13,
        "routes[1].middleware[0]",
        "rate_limit.key 'claim:sub' reads a verified token: list auth before ratelimit");
    assertProblem(
        onlyProblem(
            head
                + "  - path: /none\n    target: http://127.0.0.1:9000\n"
                + "    middleware: [ratelimit]\n"),
        13,
        "routes[1].middleware[0]",
        "list auth before ratelimit");
    // a route's own block with an address key needs no token
    assertEquals(
        2,
        load(head
                + "  - path: /own\n    target: http://127.0.0.1:9000\n"
                + "    middleware: [ratelimit]\n    rate_limit:\n      key: address\n")
            .routes()
            .size());
  }
}
