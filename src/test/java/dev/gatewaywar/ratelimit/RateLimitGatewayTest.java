package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.DevTokens;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ratelimit middleware in the gateway on an embedded Tomcat, in front of a real upstream. The
 * rates are so low (one token per 100 s or more) that no token comes back during a test, so the
 * counts do not depend on how fast the machine is.
 */
class RateLimitGatewayTest {
  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private void start(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml.replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  @Test
  void burstThen429WithRetryAfterAndRateLimitHeaders() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ratelimit]
        rate_limit:
          enabled: true
          requests_per_second: 0.01
          burst: 3
        """);
    for (int i = 0; i < 3; i++) {
      RawHttp.Response ok = get("/api/x");
      assertEquals(200, ok.status());
      assertEquals("3", ok.header("RateLimit-Limit"));
      assertEquals(String.valueOf(2 - i), ok.header("RateLimit-Remaining"));
      // a token per 100 s: full again in 100 s per token taken
      assertEquals(String.valueOf(100 * (i + 1)), ok.header("RateLimit-Reset"));
    }
    RawHttp.Response limited = get("/api/x");
    assertEquals(429, limited.status());
    assertEquals("{\"error\":\"rate limit exceeded\"}", limited.body());
    assertTrue(limited.header("Content-Type").startsWith("application/json"));
    assertEquals("100", limited.header("Retry-After"));
    assertEquals("3", limited.header("RateLimit-Limit"));
    assertEquals("0", limited.header("RateLimit-Remaining"));
    assertEquals("300", limited.header("RateLimit-Reset"));
    for (int i = 0; i < 3; i++) {
      upstream.nextRequest();
    }
    assertTrue(upstream.noRequestWithin(200), "the limited request never reached the upstream");
  }

  @Test
  void globalBucketIsSharedByEveryRouteUsingIt() throws Exception {
    start(
        """
        routes:
          - path: /a
            target: UPSTREAM
            middleware: [ratelimit]
          - path: /b
            target: UPSTREAM
            middleware: [ratelimit]
          - path: /own
            target: UPSTREAM
            middleware: [ratelimit]
            rate_limit:
              burst: 1
        rate_limit:
          enabled: true
          requests_per_second: 0.001
          burst: 2
        """);
    assertEquals(200, get("/a").status());
    assertEquals(200, get("/b").status());
    assertEquals(429, get("/a").status(), "two routes, one bucket: adding routes adds no tokens");
    assertEquals(429, get("/b").status());

    RawHttp.Response own = get("/own");
    assertEquals(200, own.status(), "a route's own block has its own buckets");
    assertEquals("1", own.header("RateLimit-Limit"));
    assertEquals(429, get("/own").status());
  }

  @Test
  void spoofedForwardedForFromAnUntrustedPeerDoesNotChangeTheKey() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ratelimit]
        rate_limit:
          enabled: true
          requests_per_second: 0.001
          burst: 2
        """);
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.1").status());
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.2").status());
    assertEquals(429, get("/api/x", "X-Forwarded-For: 198.51.100.3").status());
    assertEquals(429, get("/api/x").status());
  }

  @Test
  void forwardedForFromATrustedProxyNamesTheClient() throws Exception {
    start(
        """
        server:
          trusted_proxies: [127.0.0.1/32, "::1"]
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ratelimit]
        rate_limit:
          enabled: true
          requests_per_second: 0.001
          burst: 1
        """);
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.1").status());
    assertEquals(429, get("/api/x", "X-Forwarded-For: 198.51.100.1").status());
    // what the client wrote left of the address the trusted proxy appended does not count
    assertEquals(429, get("/api/x", "X-Forwarded-For: 203.0.113.5, 198.51.100.1").status());
    assertEquals(200, get("/api/x", "X-Forwarded-For: 198.51.100.2").status());
    assertEquals(200, get("/api/x").status(), "the proxy's own requests are one more client");
  }

  @Test
  void headerKeyGivesEachApiKeyItsOwnBucket() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ratelimit]
            rate_limit:
              enabled: true
              requests_per_second: 0.001
              burst: 1
              key: header:X-Api-Key
        """);
    assertEquals(200, get("/api/x", "X-Api-Key: alpha").status());
    assertEquals(429, get("/api/x", "X-Api-Key: alpha").status());
    assertEquals(200, get("/api/x", "X-Api-Key: beta").status());
    assertEquals(200, get("/api/x").status(), "no key: the address's bucket");
    assertEquals(429, get("/api/x").status());
  }

  /** A file with {@code /a} (global limit) and {@code /own} (own block) rate limited. */
  private static String reloadable(String marker, int globalBurst) {
    return """
        server:
          reload:
            interval: 100ms
            debounce: 20ms
        routes:
          - path: /a
            target: UPSTREAM
            middleware: [ratelimit]
          - path: /own
            target: UPSTREAM
            middleware: [ratelimit]
            rate_limit:
              burst: 1
          - path: /MARKER
            target: UPSTREAM
        rate_limit:
          enabled: true
          requests_per_second: 0.001
          burst: BURST
        """
        .replace("MARKER", marker)
        .replace("BURST", String.valueOf(globalBurst));
  }

  private void reloadAndAwait(String yaml, String newPath) throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), yaml.replace("UPSTREAM", upstream.url()));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (get(newPath).status() != 200) {
      assertTrue(System.nanoTime() < deadline, newPath + " not served within 10 s");
      Thread.sleep(20);
    }
  }

  @Test
  void aReloadKeepsLocalBucketsWhoseSettingsItKeeps() throws Exception {
    start(reloadable("one", 1));
    assertEquals(200, get("/a").status());
    assertEquals(429, get("/a").status());
    assertEquals(200, get("/own").status());
    assertEquals(429, get("/own").status());

    // another route added: both limits unchanged, so no client gets a fresh bucket
    reloadAndAwait(reloadable("two", 1), "/two");
    assertEquals(429, get("/a").status(), "the global bucket survives the reload");
    assertEquals(429, get("/own").status(), "the route's own bucket survives the reload");

    // the global limit changed: its buckets start afresh; the route's own, unchanged, do not
    reloadAndAwait(reloadable("three", 2), "/three");
    RawHttp.Response fresh = get("/a");
    assertEquals(200, fresh.status());
    assertEquals("2", fresh.header("RateLimit-Limit"));
    assertEquals(429, get("/own").status());
  }

  @Test
  void disabledRateLimitPassesEveryRequest() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ratelimit]
        rate_limit:
          enabled: false
          burst: 1
        """);
    for (int i = 0; i < 5; i++) {
      RawHttp.Response r = get("/api/x");
      assertEquals(200, r.status());
      assertNull(r.header("RateLimit-Limit"));
    }
  }

  @Test
  void claimKeyNeedsAuthEarlierInTheRoute() {
    assertThrows(
        IllegalStateException.class,
        () ->
            start(
                """
                routes:
                  - path: /api/*
                    target: UPSTREAM
                    middleware: [ratelimit]
                auth:
                  enabled: true
                  secret: test-secret-of-at-least-32-bytes!!
                rate_limit:
                  enabled: true
                  key: claim:sub
                """));
  }

  @Test
  void claimKeyGivesEachVerifiedSubjectItsOwnBucket() throws Exception {
    String secret = "test-secret-of-at-least-32-bytes!!";
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [auth, ratelimit]
        auth:
          enabled: true
          secret: %s
        rate_limit:
          enabled: true
          requests_per_second: 0.01
          burst: 1
          key: claim:sub
        """
            .formatted(secret));
    AuthConfig auth = new AuthConfig(true, "jwt", secret);
    String alice =
        DevTokens.mint(auth, "alice", Duration.ofMinutes(5), Map.of(), Clock.systemUTC());
    String bob = DevTokens.mint(auth, "bob", Duration.ofMinutes(5), Map.of(), Clock.systemUTC());

    assertEquals(200, get("/api/x", "Authorization: Bearer " + alice).status());
    assertEquals(429, get("/api/x", "Authorization: Bearer " + alice).status());
    // same client address, another subject: another bucket
    assertEquals(200, get("/api/x", "Authorization: Bearer " + bob).status());
  }
}
