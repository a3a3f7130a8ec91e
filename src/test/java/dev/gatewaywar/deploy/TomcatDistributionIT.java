package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.LoopbackHttp.assertSomeLine;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestPki;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TlsUpstream;
import dev.gatewaywar.testing.Tokens;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gateway.war deployed the way an operator deploys it: dropped into the webapps/ of a stock Apache
 * Tomcat distribution (10.1 and 11, unpacked by the build in pre-integration-test), started with
 * {@code catalina.sh run} and {@code -Dgateway.config}, stopped with a signal. Each test runs its
 * own Tomcat on a fresh CATALINA_BASE under target/it-tomcat/, where its logs stay afterwards. The
 * proxying tests deploy the WAR into the running Tomcat and undeploy it again, as root context and
 * as /gateway, and check the undeploy left nothing behind ({@link UndeployLeaks}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatDistributionIT {
  private static final Path WAR = Path.of(requiredProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  private static final String SECRET = "deployment-test-secret-of-32-bytes-or-more";
  private static final int BURST = 2;
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(requiredProperty(p))));
  }

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = TestUpstream.start();
    upstream.handle("/users", exchange -> TestUpstream.reply(exchange, 200, "user from upstream"));
  }

  @AfterEach
  void killEverything() {
    // whatever the test did or failed to do, no Tomcat outlives it
    servers.forEach(TomcatServer::close);
    upstream.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void rootWarProxiesToUpstreamAndAnswersUnmatchedPathWithJson404(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "root");
    tomcat.start(config(tomcat, everyMiddlewareConfig()));
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "ROOT.war").awaitStatus("/readyz", 200);

    HttpResponse<String> proxied =
        tomcat.get("/users/42?x=1&y=%3A", "X-Forwarded-For", "203.0.113.7");
    assertEquals(200, proxied.statusCode(), () -> proxied.body() + "\n" + logs(tomcat));
    assertEquals("user from upstream", proxied.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertAll(
        () -> assertEquals("GET", received.method()),
        () -> assertEquals("/users/42?x=1&y=%3A", received.rawUri()),
        () -> assertEquals("203.0.113.7, 127.0.0.1", received.header("X-Forwarded-For")));

    HttpResponse<String> unmatched = tomcat.get("/orders/7");
    assertAll(
        () -> assertEquals(404, unmatched.statusCode()),
        () ->
            assertTrue(
                contentType(unmatched).startsWith("application/json"), contentType(unmatched)),
        () -> assertTrue(unmatched.body().contains("\"error\""), unmatched.body()));
    assertTrue(upstream.noRequestWithin(300), "an unmatched path reached the upstream");

    proxiesThroughEveryBuiltInMiddleware(tomcat, "");
    undeployLeavesNothingBehind(tomcat, "ROOT.war", "", threadsBefore);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void warUnderContextPathProxiesPathWithoutContextPath(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "context-path");
    tomcat.start(config(tomcat, everyMiddlewareConfig()));
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "gateway.war").awaitStatus("/gateway/readyz", 200);

    HttpResponse<String> proxied = tomcat.get("/gateway/users/1");
    assertEquals(200, proxied.statusCode(), () -> proxied.body() + "\n" + logs(tomcat));
    assertEquals("user from upstream", proxied.body());
    assertEquals("/users/1", upstream.nextRequest().rawUri());

    HttpResponse<String> unmatched = tomcat.get("/gateway/orders/7");
    assertEquals(404, unmatched.statusCode());
    assertTrue(contentType(unmatched).startsWith("application/json"), contentType(unmatched));
    HttpResponse<String> outsideContext = tomcat.get("/users/1");
    assertEquals(404, outsideContext.statusCode());
    assertTrue(upstream.noRequestWithin(300), "a path outside /gateway reached the upstream");

    proxiesThroughEveryBuiltInMiddleware(tomcat, "/gateway");
    undeployLeavesNothingBehind(tomcat, "gateway.war", "/gateway", threadsBefore);
  }

  /**
   * One route with all five built-ins in the Go original's order, through the webapp at {@code
   * contextPath}: auth refuses without a token, tracing continues the client's trace to the
   * upstream, ratelimit refuses past the burst, logging writes the JSON line to the console,
   * metrics counts under the route's pattern.
   */
  private void proxiesThroughEveryBuiltInMiddleware(TomcatServer tomcat, String contextPath)
      throws Exception {
    String api = contextPath + "/api/7";
    HttpResponse<String> anonymous = tomcat.get(api);
    assertAll(
        () -> assertEquals(401, anonymous.statusCode()),
        () -> assertTrue(contentType(anonymous).startsWith("application/json")),
        () -> assertEquals("{\"error\":\"missing token\"}", anonymous.body()),
        () ->
            assertTrue(
                anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                anonymous.headers().toString()));
    assertTrue(upstream.noRequestWithin(200), "a request without a token reached the upstream");

    String token = Tokens.hs(Tokens.claims(Clock.systemUTC(), "alice"), "HS256", SECRET);
    for (int i = 0; i < BURST; i++) {
      HttpResponse<String> allowed =
          tomcat.get(api, "Authorization", "Bearer " + token, "traceparent", CLIENT_TRACEPARENT);
      assertEquals(200, allowed.statusCode(), allowed::body);
      TestUpstream.Received forwarded = upstream.nextRequest();
      assertEquals("/api/7", forwarded.rawUri());
      assertEquals("Bearer " + token, forwarded.header("Authorization"));
      assertTrue(
          forwarded.header("traceparent").startsWith("00-" + CLIENT_TRACE + "-"),
          forwarded.header("traceparent"));
    }
    HttpResponse<String> limited = tomcat.get(api, "Authorization", "Bearer " + token);
    assertAll(
        () -> assertEquals(429, limited.statusCode()),
        () -> assertEquals("{\"error\":\"rate limit exceeded\"}", limited.body()),
        () ->
            assertTrue(
                Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0")) >= 1,
                limited.headers().toString()));

    Map<String, Object> line = TomcatObservabilityIT.accessLine(tomcat, api);
    assertAll(
        () -> assertEquals("GET", line.get("method")),
        () -> assertEquals(200, line.get("status")),
        () -> assertEquals("/api/:id", line.get("route")),
        () -> assertEquals(CLIENT_TRACE, line.get("trace_id")));
    HttpResponse<String> metrics = tomcat.get(contextPath + "/metrics");
    assertEquals(200, metrics.statusCode(), metrics.body());
    assertEquals(
        BURST,
        PrometheusText.parse(metrics.body())
            .value(
                "gateway_requests_total",
                Map.of("method", "GET", "path", "/api/:id", "status", "200")));
  }

  /**
   * Removes the WAR from the running Tomcat (its auto-deployer undeploys it), then checks the
   * context is gone and nothing of it stayed: no leak warning, no new thread, no class loader.
   */
  private static void undeployLeavesNothingBehind(
      TomcatServer tomcat, String war, String contextPath, Set<String> threadsBefore)
      throws Exception {
    tomcat.undeploy(war);
    tomcat.awaitStatus(contextPath + "/readyz", 404);
    UndeployLeaks.assertNothingLeftBehind(tomcat, threadsBefore, 0);
    tomcat.stop();
    assertCleanUndeploy(tomcat);
  }

  /**
   * A route's own TLS (its CA, a client certificate for mutual TLS, a server name) from PEM files,
   * and a rewrite keeping the client's encoding; the TLS route's own pool and threads end with the
   * webapp.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void upstreamTlsAndRewriteWorkAndLeaveNothingBehind(Distribution distribution) throws Exception {
    TomcatServer tomcat = tomcat(distribution, "upstream-tls");
    TestPki serverCa = TestPki.ca("upstream CA");
    TestPki clientCa = TestPki.ca("gateway clients CA");
    TestPki.Issued client = clientCa.client("tomcat-gateway");
    Path dir = tomcat.base();
    try (TlsUpstream tls =
        TlsUpstream.start(
            TestPki.serverContext(
                serverCa.server("upstream.test", "127.0.0.1"), clientCa.certificate()),
            true)) {
      tomcat.start(
          config(
              tomcat,
              """
              routes:
                - path: /billing/*
                  target: %s
                  rewrite: /v2/:rest
                  tls:
                    ca_file: %s
                    cert_file: %s
                    key_file: %s
                    server_name: upstream.test
              """
                  .formatted(
                      tls.url(),
                      serverCa.writeCertificate(dir.resolve("ca.pem")),
                      TestPki.writePem(dir.resolve("client.pem"), client.certificate()),
                      TestPki.writeKey(dir.resolve("client-key.pem"), client))));
      Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
      tomcat.deploy(WAR, "ROOT.war").awaitStatus("/readyz", 200);

      HttpResponse<String> answer = tomcat.get("/billing/a%20b/%C3%A9");
      assertEquals(200, answer.statusCode(), () -> answer.body() + "\n" + logs(tomcat));
      assertEquals(
          "path=/v2/a%20b/%C3%A9;sni=upstream.test;client=CN=tomcat-gateway", answer.body());
      undeployLeavesNothingBehind(tomcat, "ROOT.war", "", threadsBefore);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void badConfigKeepsWebappFromStartingAndLogsKeyAndLine(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "bad-config").deploy(WAR, "ROOT.war");
    tomcat.start(
        config(
            tomcat,
            usersRoute() // lines 1-4
                + "    middleware: [ratelimitt]\n" // line 5
                + "rate_limitt:\n" // line 6
                + "  enabled: true\n"));

    HttpResponse<String> answer = tomcat.get("/users/1");
    // no webapp at /: Tomcat's own error page, not the gateway's JSON
    assertEquals(404, answer.statusCode(), answer::body);
    assertFalse(contentType(answer).contains("json"), answer.body());
    assertTrue(
        upstream.noRequestWithin(300), "a request was proxied by a gateway that must not run");

    String console = tomcat.console();
    assertAll(
        () -> assertSomeLine(console, "line 5", "routes[0].middleware[0]", "ratelimitt"),
        () -> assertSomeLine(console, "line 6", "rate_limitt", "unknown key"));

    tomcat.stop();
    assertCleanUndeploy(tomcat);
  }

  private TomcatServer tomcat(Distribution distribution, String scenario) throws IOException {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-" + scenario));
    servers.add(tomcat);
    return tomcat;
  }

  /**
   * The plain /users/:id route, and /api/:id through every built-in middleware. Spans are not
   * exported (otel.enabled false, tracing still continues the client's trace upstream): the OTLP
   * exporter's HTTP client (OkHttp) keeps two JVM-wide threads of the webapp's for 60 s after its
   * last export, which would fail the undeploy check for that long. TomcatObservabilityIT covers
   * export on Tomcat.
   */
  private String everyMiddlewareConfig() {
    return usersRoute()
        + """
          - path: /api/:id
            target: %s
            middleware: [tracing, auth, ratelimit, logging, metrics]
        auth:
          enabled: true
          type: jwt
          secret: "%s"
        rate_limit:
          enabled: true
          requests_per_second: 0.01
          burst: %d
        metrics:
          prometheus:
            enabled: true
        logging:
          format: json
        """
            .formatted(upstream.url(), SECRET, BURST);
  }

  private String usersRoute() {
    return "routes:\n"
        + "  - path: /users/:id\n"
        + "    methods: [GET]\n"
        + "    target: "
        + upstream.url()
        + "\n";
  }

  private static Path config(TomcatServer tomcat, String yaml) throws IOException {
    return Files.writeString(tomcat.base().resolve("gateway.yaml"), yaml, StandardCharsets.UTF_8);
  }

  private static void assertCleanUndeploy(TomcatServer tomcat) throws IOException {
    String logs = tomcat.allLogs();
    for (String line : logs.split("\n")) {
      for (String warning : UndeployLeaks.WARNINGS) {
        assertFalse(
            line.contains(warning),
            () -> "Tomcat reported a leak on undeploy in " + tomcat.base() + "/logs:\n" + line);
      }
    }
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static String logs(TomcatServer tomcat) {
    try {
      return tomcat.allLogs();
    } catch (IOException e) {
      return "(logs unreadable: " + e + ")";
    }
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; run through `mvn verify` (failsafe sets it)");
    }
    return value;
  }
}
