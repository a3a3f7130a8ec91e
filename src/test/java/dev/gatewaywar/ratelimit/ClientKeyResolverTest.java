package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.config.AdminConfig;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.HealthConfig;
import dev.gatewaywar.config.MetricsConfig;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.ServerConfig;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.testing.Fakes;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What names a request's bucket, and the claim-key seam the auth middleware will plug into. */
class ClientKeyResolverTest {

  /** A request with a peer address, headers and attributes; nothing else. */
  private static HttpServletRequest request(String peer, Map<String, String> headers) {
    Map<String, Object> attributes = new HashMap<>();
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            ClientKeyResolverTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getRemoteAddr" -> peer;
                  case "getHeader" -> headers.get((String) args[0]);
                  case "getAttribute" -> attributes.get((String) args[0]);
                  case "setAttribute" -> attributes.put((String) args[0], args[1]);
                  case "getMethod" -> "GET";
                  case "getRequestURI" -> "/api";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /**
   * Claims as the auth middleware would give them: here from a test header standing for a token.
   */
  private static final VerifiedClaims FROM_TEST_HEADER =
      (request, name) -> Optional.ofNullable(request.getHeader("Test-Claim-" + name));

  @Test
  void addressKeyIsTheResolvedClientAddressNotThePeer() {
    HttpServletRequest r = request("10.0.0.2", Map.of());
    assertEquals(
        "a:10.0.0.2", ClientKeyResolver.of(RateLimitConfig.Key.ADDRESS, FROM_TEST_HEADER).keyOf(r));
    new ClientAddress("198.51.100.7").attachTo(r);
    assertEquals(
        "a:198.51.100.7",
        ClientKeyResolver.of(RateLimitConfig.Key.ADDRESS, FROM_TEST_HEADER).keyOf(r));
  }

  @Test
  void headerKeyFallsBackToTheAddressAndBoundsItsLength() {
    ClientKeyResolver keys =
        ClientKeyResolver.of(RateLimitConfig.Key.parse("header:X-Api-Key"), FROM_TEST_HEADER);
    assertEquals("h:k1", keys.keyOf(request("203.0.113.1", Map.of("X-Api-Key", "k1"))));
    assertEquals("a:203.0.113.1", keys.keyOf(request("203.0.113.1", Map.of())));
    String huge = "x".repeat(100_000);
    String key = keys.keyOf(request("203.0.113.1", Map.of("X-Api-Key", huge)));
    assertTrue(key.startsWith("h#") && key.length() == 66, key);
    // an API key that looks like an address never lands in that address's bucket
    assertEquals(
        "h:a:203.0.113.1", keys.keyOf(request("1.1.1.1", Map.of("X-Api-Key", "a:203.0.113.1"))));
  }

  @Test
  void claimKeyReadsTheVerifiedClaim() {
    ClientKeyResolver keys =
        ClientKeyResolver.of(RateLimitConfig.Key.parse("claim:sub"), FROM_TEST_HEADER);
    assertEquals("c:alice", keys.keyOf(request("203.0.113.1", Map.of("Test-Claim-sub", "alice"))));
    assertEquals("a:203.0.113.1", keys.keyOf(request("203.0.113.1", Map.of())));
  }

  @Test
  void consumerKeyReadsTheConsumerApiKeyAccepted() {
    ClientKeyResolver keys = ClientKeyResolver.of(RateLimitConfig.Key.parse("consumer"), null);
    HttpServletRequest r = request("203.0.113.1", Map.of());
    assertEquals("a:203.0.113.1", keys.keyOf(r), "no consumer: the address's bucket");
    dev.gatewaywar.api.ApiConsumer.set(r, "mobile-app");
    assertEquals("k:mobile-app", keys.keyOf(r));
    assertEquals("consumer", RateLimitConfig.Key.parse("consumer").toString());
  }

  private static MiddlewareContext context(List<String> middleware) {
    RateLimitConfig limits =
        new RateLimitConfig(
            true,
            0.001,
            1,
            RateLimitConfig.Key.parse("claim:sub"),
            RateLimitConfig.Backend.LOCAL,
            null,
            RateLimitConfig.OnBackendError.ALLOW,
            100,
            RateLimitConfig.DEFAULT_IDLE_TIMEOUT);
    RouteConfig route =
        new RouteConfig(
            "/api", Set.of(), URI.create("http://h"), middleware, Optional.empty(), false, 1);
    GatewayConfig config =
        new GatewayConfig(
            "test",
            ServerConfig.DEFAULT,
            List.of(route),
            TimeoutsConfig.DEFAULT,
            UpstreamConfig.DEFAULT,
            new MetricsConfig(false, "/metrics"),
            HealthConfig.DEFAULT,
            AdminConfig.DEFAULT,
            Map.of(RateLimitBlock.INSTANCE.key(), limits),
            Set.of());
    return new MiddlewareContext(config, route, null);
  }

  @Test
  void claimKeyGivesEachSubjectItsOwnBucket() throws Exception {
    RateLimitMiddleware m =
        new RateLimitMiddleware(
            System::nanoTime, Clock.systemUTC(), FROM_TEST_HEADER, backend -> {});
    Filter filter = m.create(context(List.of("auth", "ratelimit")));
    AtomicInteger passed = new AtomicInteger();
    Map<String, String> alice = Map.of("Test-Claim-sub", "alice");

    filter.doFilter(
        request("203.0.113.1", alice),
        new Fakes.Response().asServletResponse(),
        (q, s) -> passed.incrementAndGet());
    GatewayException limited =
        assertThrows(
            GatewayException.class,
            () ->
                filter.doFilter(
                    request("203.0.113.2", alice),
                    new Fakes.Response().asServletResponse(),
                    (q, s) -> passed.incrementAndGet()));
    assertEquals(GatewayError.RATE_LIMITED, limited.error());
    assertTrue(limited.headers().containsKey("Retry-After"));
    filter.doFilter(
        request("203.0.113.1", Map.of("Test-Claim-sub", "bob")),
        new Fakes.Response().asServletResponse(),
        (q, s) -> passed.incrementAndGet());
    assertEquals(2, passed.get(), "alice once (from any address), bob once");
    filter.destroy();
  }
}
