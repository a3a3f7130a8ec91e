package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.Background.async;
import static dev.gatewaywar.deploy.LoopbackHttp.assertSomeLine;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.Commands;
import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.OtlpReceiver;
import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.RedisServer;
import dev.gatewaywar.testing.TestPki;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TlsUpstream;
import dev.gatewaywar.testing.Tokens;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gateway.war on a stock WildFly distribution (from Maven Central, unpacked by the build), deployed
 * and undeployed the way the README tells operators to: with the deploy kit's jboss-cli scripts
 * ({@code deploy/wildfly/}) against a running server. One WildFly serves the whole class (its boot
 * is the slow part); each test deploys, proxies through every built-in middleware, undeploys, and
 * then checks the server JVM with jcmd: no thread of the gateway and no class loader of the
 * deployment left after full GCs, and no ERROR in server.log. The server's base directory, logs and
 * every command's output stay under target/it-wildfly/ for reading after a failure.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyDistributionIT {
  private static final Path WAR = Path.of(requiredProperty("gateway.war"));
  private static final Path KIT = Path.of(requiredProperty("wildfly.kit"));
  private static final Distribution DISTRIBUTION =
      new Distribution(Path.of(requiredProperty("wildfly.home")));

  /** How long a deployment may take to let go of its class loader and threads after undeploy. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static final String SECRET = "wildfly-deployment-test-secret-of-32-bytes+";
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

  private static WildFlyServer wildfly;
  private static RedisServer redis;

  private final Set<String> deployed = new LinkedHashSet<>();
  private TestUpstream upstream;
  private OtlpReceiver receiver;
  private long logMark;
  private Set<String> threadsBefore;

  /** A deployment name and the context path it gives: where the routes are. */
  record Deployment(String name, String contextPath) {
    @Override
    public String toString() {
      return name + " at " + (contextPath.isEmpty() ? "/" : contextPath);
    }
  }

  /**
   * WildFly's request worker threads, all made by the warm-up (more than any test runs at once).
   */
  private static final int POOL = 16;

  static Stream<Deployment> deployments() {
    return Stream.of(new Deployment("ROOT.war", ""), new Deployment("gateway.war", "/gateway"));
  }

  @BeforeAll
  static void startWildFly() throws Exception {
    wildfly =
        WildFlyServer.create(DISTRIBUTION, WAR.getParent().resolve("it-wildfly/" + DISTRIBUTION));
    wildfly.start();
    // the kit's server-wide settings (harden-errors.cli), as the README tells operators to apply
    wildfly.cliFile(KIT.resolve("harden-errors.cli")).assertSucceeded();
    // a fixed request pool, filled before any gateway runs: see WildFlyServer.fixWorkerPool
    wildfly.fixWorkerPool(POOL);
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopWildFly() throws Exception {
    try {
      if (redis != null) {
        redis.close();
      }
      if (wildfly != null) {
        wildfly.stop();
      }
    } finally {
      if (wildfly != null) {
        wildfly.close();
      }
    }
  }

  @BeforeEach
  void startUpstreamAndTakeBaseline() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "user from upstream"));
    receiver = OtlpReceiver.start();
    logMark = wildfly.serverLogMark();
    threadsBefore = LeftBehind.names(wildfly.threads());
  }

  @AfterEach
  void undeployWhatIsLeft() throws Exception {
    // a failed test may leave its deployment: the next test starts from an empty server
    for (String name : deployed) {
      wildfly.cli("undeploy " + name);
    }
    upstream.close();
    receiver.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void everyBuiltInMiddlewareWorksAndUndeployLeavesNothingBehind(Deployment deployment)
      throws Exception {
    String apiKey = UUID.randomUUID().toString(); // the Redis buckets outlive deployments
    Path config =
        config(
            deployment,
            """
            auth:
              enabled: true
              type: jwt
              secret: "%s"
            rate_limit:
              enabled: true
              requests_per_second: 0.5
              burst: 2
            metrics:
              prometheus:
                enabled: true
            logging:
              format: json
            routes:
              - path: /users/:id
                target: %s
                middleware: [tracing, logging, metrics]
              - path: /secure/*
                target: %s
                middleware: [auth]
              - path: /limited
                target: %s
                middleware: [ratelimit]
              - path: /shared-limit
                target: %s
                middleware: [ratelimit]
                rate_limit:
                  burst: 1
                  key: header:X-Api-Key
                  backend: redis
                  redis:
                    url: %s
            """
                .formatted(
                    SECRET,
                    upstream.url(),
                    upstream.url(),
                    upstream.url(),
                    upstream.url(),
                    redis.url()));
    String at = deployment.contextPath();
    deploy(deployment, config).assertSucceeded();

    // tracing, logging, metrics; the upstream sees the path without the context path
    HttpResponse<String> traced =
        wildfly.get(at + "/users/42?x=1", "traceparent", CLIENT_TRACEPARENT);
    assertEquals(200, traced.statusCode(), traced::body);
    assertEquals("user from upstream", traced.body());
    TestUpstream.Received proxied = upstream.nextRequest();
    assertEquals("/users/42?x=1", proxied.rawUri());
    String sent = proxied.header("traceparent");
    assertTrue(sent != null && sent.startsWith("00-" + CLIENT_TRACE + "-"), sent);
    Map<String, Object> line = accessLine(at + "/users/42");
    assertAll(
        () -> assertEquals("GET", line.get("method")),
        () -> assertEquals("/users/:id", line.get("route")),
        () -> assertEquals(200, line.get("status")),
        () -> assertTrue(line.get("duration_ms") instanceof Number, line::toString),
        () -> assertEquals(CLIENT_TRACE, line.get("trace_id")));
    HttpResponse<String> metrics = wildfly.get(at + "/metrics");
    assertEquals(200, metrics.statusCode(), metrics::body);
    assertEquals(
        1,
        PrometheusText.parse(metrics.body())
            .value(
                "gateway_requests_total",
                Map.of("method", "GET", "path", "/users/:id", "status", "200")));

    // auth
    HttpResponse<String> noToken = wildfly.get(at + "/secure/report");
    assertAll(
        () -> assertEquals(401, noToken.statusCode()),
        () -> assertTrue(contentType(noToken).startsWith("application/json"), contentType(noToken)),
        () -> assertEquals("missing token", JsonObjects.parse(noToken.body()).get("error")),
        () ->
            assertTrue(
                noToken.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                noToken.headers()::toString));
    String token = Tokens.hs(Tokens.claims(Clock.systemUTC(), "alice"), "HS256", SECRET);
    HttpResponse<String> withToken =
        wildfly.get(at + "/secure/report", "Authorization", "Bearer " + token);
    assertEquals(200, withToken.statusCode(), withToken::body);
    TestUpstream.Received authorized = upstream.nextRequest();
    assertEquals("/secure/report", authorized.rawUri());
    assertEquals("Bearer " + token, authorized.header("Authorization"));

    // ratelimit: local buckets, then buckets in Redis (Lettuce and its Netty threads started)
    assertEquals(200, wildfly.get(at + "/limited").statusCode());
    assertEquals(200, wildfly.get(at + "/limited").statusCode());
    assertRateLimited(wildfly.get(at + "/limited"));
    assertEquals(200, wildfly.get(at + "/shared-limit", "X-Api-Key", apiKey).statusCode());
    assertRateLimited(wildfly.get(at + "/shared-limit", "X-Api-Key", apiKey));
    for (int i = 0; i < 3; i++) {
      upstream.nextRequest(); // the three that got through
    }

    if (!at.isEmpty()) {
      HttpResponse<String> outside = wildfly.get("/users/42");
      assertEquals(404, outside.statusCode());
      assertFalse(contentType(outside).contains("json"), outside.body());
    }
    assertTrue(upstream.noRequestWithin(200), "an unexpected request reached the upstream");

    undeploy(deployment).assertSucceeded();
    assertEquals(404, wildfly.get(at + "/users/42").statusCode());
    assertTrue(upstream.noRequestWithin(200), "proxied after undeploy");
    assertNothingLeftBehind(deployment.name());
    assertNoErrorsInServerLog();
  }

  @Test
  void redeployServesAgainAndLeavesNothingBehind() throws Exception {
    Deployment root = new Deployment("ROOT.war", "");
    Path config =
        config(
            root,
            """
            routes:
              - path: /users/:id
                target: %s
            """
                .formatted(upstream.url()));
    deploy(root, config).assertSucceeded();
    assertProxied("/users/1");
    undeploy(root).assertSucceeded();
    deploy(root, config).assertSucceeded();
    assertProxied("/users/2");
    // the script over a running deployment replaces it (--force): an update in one command
    deploy(root, config).assertSucceeded();
    assertProxied("/users/3");
    undeploy(root).assertSucceeded();

    assertNothingLeftBehind(root.name());
    assertNoErrorsInServerLog();
  }

  /**
   * headers, request_id and ip_filter on Undertow: response headers are changed through a wrapper
   * the proxy writes the upstream's head into on its own threads, request headers through the
   * request the chain passes on.
   */
  @Test
  void headersRequestIdAndIpFilterApplyOnUndertow() throws Exception {
    Deployment root = new Deployment("ROOT.war", "");
    upstream.handle(
        "/users",
        e -> {
          e.getResponseHeaders().add("X-Internal", "upstream");
          e.getResponseHeaders().add("X-Request-Id", "upstream-made");
          e.getResponseHeaders().add("X-Frame-Options", "ALLOWALL");
          TestUpstream.reply(e, 200, "user from upstream");
        });
    Path config =
        config(
            root,
            """
            routes:
              - path: /users/:id
                target: %1$s
                middleware: [request_id, headers]
                headers:
                  request:
                    set: {X-User: "u-${param.id}"}
                    remove: [X-Debug]
                  response:
                    set: {X-Frame-Options: DENY, X-Echo: "${request_id}"}
                    remove: [X-Internal]
              - path: /closed
                target: %1$s
                middleware: [ip_filter]
                ip_filter:
                  deny: [127.0.0.0/8, "::1"]
            """
                .formatted(upstream.url()));
    deploy(root, config).assertSucceeded();

    HttpResponse<String> answer =
        wildfly.get("/users/7", "X-Request-Id", "rid-wildfly", "X-Debug", "on");
    assertEquals(200, answer.statusCode(), answer::body);
    assertEquals(List.of("rid-wildfly"), answer.headers().allValues("X-Request-Id"));
    assertEquals(List.of("DENY"), answer.headers().allValues("X-Frame-Options"));
    assertEquals(List.of("rid-wildfly"), answer.headers().allValues("X-Echo"));
    assertEquals(List.of(), answer.headers().allValues("X-Internal"));
    TestUpstream.Received proxied = upstream.nextRequest();
    assertEquals(List.of("u-7"), proxied.headerValues("X-User"));
    assertEquals(List.of(), proxied.headerValues("X-Debug"));
    assertEquals(List.of("rid-wildfly"), proxied.headerValues("X-Request-Id"));

    HttpResponse<String> refused = wildfly.get("/closed");
    assertEquals(403, refused.statusCode());
    assertEquals("{\"error\":\"forbidden\"}", refused.body());
    assertTrue(upstream.noRequestWithin(200), "a refused request is not proxied");

    undeploy(root).assertSucceeded();
    assertNothingLeftBehind(root.name());
    assertNoErrorsInServerLog();
  }

  @Test
  void anUndeployLetsTheRequestInFlightFinish() throws Exception {
    Deployment root = new Deployment("ROOT.war", "");
    HeldAnswer held = new HeldAnswer();
    upstream.handle("/slow", held);
    Path config =
        config(
            root,
            """
            routes:
              - path: /slow
                target: %s
            """
                .formatted(upstream.url()));
    deploy(root, config).assertSucceeded();
    try {
      CompletableFuture<HttpResponse<String>> slow = async(() -> wildfly.get("/slow"));
      assertTrue(held.arrived(), "the request did not reach the upstream");
      CompletableFuture<Commands.Result> undeploying = async(() -> undeploy(root));
      // longer than Tomcat's sweep that times out a stopped webapp's async requests: whatever
      // WildFly does on undeploy, the request must still be open
      Thread.sleep(3_000);
      assertFalse(slow.isDone(), () -> "ended during the undeploy: " + slow);

      held.release();
      HttpResponse<String> answer = slow.get(30, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode());
      assertEquals(HeldAnswer.BODY, answer.body());
      undeploying.get(60, TimeUnit.SECONDS).assertSucceeded();
    } finally {
      held.release();
    }
    assertNothingLeftBehind(root.name());
    assertNoErrorsInServerLog();
  }

  /**
   * {@code logging.sink: jul} with the jboss-cli set-up docs/observability.md gives: a
   * periodic-rotating-file-handler with a message-only formatter for category {@code
   * dev.gatewaywar.access}. The file gets pure JSON lines, one per request; server.log none.
   */
  @Test
  void julSinkLinesGoToAPeriodicRotatingFileHandler() throws Exception {
    wildfly
        .cliFile(
            cliScript(
                "/subsystem=logging/pattern-formatter=GATEWAY_ACCESS:add(pattern=\"%s%n\")",
                "/subsystem=logging/periodic-rotating-file-handler=GATEWAY_ACCESS:add(file={"
                    + "relative-to=jboss.server.log.dir,path=gateway-access.log},"
                    + "suffix=\".yyyy-MM-dd\",named-formatter=GATEWAY_ACCESS,append=true)",
                "/subsystem=logging/logger=dev.gatewaywar.access:add(level=INFO,"
                    + "handlers=[GATEWAY_ACCESS],use-parent-handlers=false)"))
        .assertSucceeded();
    Deployment root = new Deployment("ROOT.war", "");
    try {
      deploy(
              root,
              config(
                  root,
                  """
                  logging:
                    sink: jul
                  routes:
                    - path: /users/:id
                      target: %s
                      middleware: [logging]
                  """
                      .formatted(upstream.url())))
          .assertSucceeded();
      for (int i = 1; i <= 3; i++) {
        assertProxied("/users/" + i);
      }
      Path file = wildfly.base().resolve("log/gateway-access.log");
      List<String> lines = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        lines =
            Files.exists(file)
                ? Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .toList()
                : List.of();
      }
      assertEquals(3, lines.size(), lines::toString);
      for (int i = 0; i < 3; i++) {
        Map<String, Object> line = JsonObjects.parse(lines.get(i));
        assertEquals("/users/" + (i + 1), line.get("path"), lines.get(i));
        assertEquals(200, line.get("status"));
      }
      assertFalse(wildfly.serverLogSince(logMark).contains("\"/users/1\""));
      undeploy(root).assertSucceeded();
      assertNothingLeftBehind(root.name());
    } finally {
      wildfly
          .cliFile(
              cliScript(
                  "/subsystem=logging/logger=dev.gatewaywar.access:remove",
                  "/subsystem=logging/periodic-rotating-file-handler=GATEWAY_ACCESS:remove",
                  "/subsystem=logging/pattern-formatter=GATEWAY_ACCESS:remove"))
          .assertSucceeded();
    }
  }

  /** A jboss-cli script of {@code commands}, one per line, as an operator would keep one. */
  private Path cliScript(String... commands) throws IOException {
    return Files.writeString(
        Files.createTempFile(wildfly.base(), "commands-", ".cli"),
        String.join("\n", commands) + "\n",
        StandardCharsets.UTF_8);
  }

  @Test
  void badConfigFailsTheDeploymentNamingKeyAndLineWhileWildFlyKeepsServing() throws Exception {
    Deployment root = new Deployment("ROOT.war", "");
    String good =
        """
        routes:
          - path: /users/:id
            target: %s
        """
            .formatted(upstream.url());
    Path bad =
        config(
            root,
            good // lines 1-3
                + "    middleware: [ratelimitt]\n" // line 4
                + "rate_limitt:\n" // line 5
                + "  enabled: true\n");

    Commands.Result failed = deploy(root, bad);
    assertFalse(failed.succeeded(), failed::toString);
    deployed.remove(root.name()); // WildFly rolled it back
    assertAll(
        () -> assertSomeLine(failed.output(), "line 4", "routes[0].middleware[0]", "ratelimitt"),
        () -> assertSomeLine(failed.output(), "line 5", "rate_limitt", "unknown key"),
        () -> assertSomeLine(wildfly.serverLogSince(logMark), "line 4", "routes[0].middleware[0]"));
    HttpResponse<String> nothing = wildfly.get("/users/1");
    assertEquals(404, nothing.statusCode());
    assertFalse(contentType(nothing).contains("json"), nothing.body());
    assertTrue(upstream.noRequestWithin(200), "proxied by a gateway that must not run");

    // the server carries on: the same script with a good config deploys
    deploy(root, config(root, good)).assertSucceeded();
    assertProxied("/users/1");
    undeploy(root).assertSucceeded();
    assertNothingLeftBehind(root.name());
  }

  /**
   * A route's own TLS (its CA, a client certificate for mutual TLS, a server name) read from PEM
   * files with the BouncyCastle jars in the WAR, not WildFly's own modules; the TLS route's own
   * connection pool and threads end with the deployment.
   */
  @Test
  void upstreamTlsAndStripPrefixWorkAndLeaveNothingBehind() throws Exception {
    Path dir = Files.createDirectories(wildfly.base().resolve("tls-" + UUID.randomUUID()));
    TestPki serverCa = TestPki.ca("upstream CA");
    TestPki clientCa = TestPki.ca("gateway clients CA");
    TestPki.Issued client = clientCa.client("wildfly-gateway");
    try (TlsUpstream tls =
        TlsUpstream.start(
            TestPki.serverContext(
                serverCa.server("upstream.test", "127.0.0.1"), clientCa.certificate()),
            true)) {
      Deployment root = new Deployment("ROOT.war", "");
      deploy(
              root,
              config(
                  root,
                  """
                  routes:
                    - path: /billing/*
                      target: %s
                      strip_prefix: /billing
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
                          TestPki.writeKey(dir.resolve("client-key.pem"), client))))
          .assertSucceeded();
      HttpResponse<String> answer = wildfly.get("/billing/a%20b");
      assertEquals(200, answer.statusCode(), answer::body);
      assertEquals("path=/a%20b;sni=upstream.test;client=CN=wildfly-gateway", answer.body());
      undeploy(root).assertSucceeded();
    }
    assertNothingLeftBehind("ROOT.war");
  }

  @Test
  void refusedRequestsGetNoStackTraceNorVersionAndHttp09IsNotProxied() throws Exception {
    Deployment root = new Deployment("ROOT.war", "");
    deploy(root, config(root, "routes:\n  - path: /*\n    target: %s\n".formatted(upstream.url())))
        .assertSucceeded();

    RefusedRequests.assertAnsweredWithoutInternals(wildfly.httpPort());
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), wildfly.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /x\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertFalse(answer.contains("Exception"), answer);
    }
    assertTrue(upstream.noRequestWithin(200), "an HTTP/0.9 request was proxied");
    assertEquals(
        "\"none\"",
        wildfly
            .cli(
                "/subsystem=undertow/servlet-container=default:read-attribute(name=stack-trace-on-error)")
            .output()
            .lines()
            .filter(l -> l.contains("\"result\""))
            .map(l -> l.substring(l.indexOf("=>") + 2).strip())
            .findFirst()
            .orElse(""));
    undeploy(root).assertSucceeded();
    assertNothingLeftBehind(root.name());
  }

  /**
   * The check of the tests above can fail: a WAR whose listener leaves a thread running is caught
   * (its thread and its class loader), and passes only once that thread has ended.
   */
  @Test
  void leakCheckFindsTheThreadAndClassLoaderAWebappLeavesBehind() throws Exception {
    Path leaky =
        exportWar(ShrinkWrap.create(WebArchive.class, "leaky.war").addClass(LeakyListener.class));
    wildfly.cli("deploy " + leaky).assertSucceeded();
    deployed.add("leaky.war");
    wildfly.cli("undeploy leaky.war").assertSucceeded();
    deployed.remove("leaky.war");

    AssertionError caught =
        assertThrows(
            AssertionError.class,
            () ->
                wildfly.assertNothingLeftBehind("leaky.war", threadsBefore, Duration.ofSeconds(3)));
    assertTrue(caught.getMessage().contains(LeakyListener.THREAD_NAME), caught::getMessage);
    assertTrue(caught.getMessage().contains("\"deployment.leaky.war\""), caught::getMessage);

    wildfly
        .cli("/system-property=" + LeakyListener.STOP_PROPERTY + ":add(value=true)")
        .assertSucceeded();
    try {
      wildfly.assertNothingLeftBehind("leaky.war", threadsBefore, PATIENCE);
    } finally {
      wildfly.cli("/system-property=" + LeakyListener.STOP_PROPERTY + ":remove").assertSucceeded();
    }
  }

  /**
   * Spans exported over OTLP gRPC from WildFly, continuing the client's trace. Runs last, under a
   * name of its own: with export on, the deployment is not yet collectable when the others' checks
   * would run. The exporter's OkHttp client leaves two threads of OkHttp's process-wide pools
   * (OkHttp TaskRunner, Okio Watchdog) running for their 60 s idle timeout after undeploy, and they
   * keep the class loader that long (seen with jcmd on WildFly 39). So this test checks that every
   * other thread of the gateway ends, not the class loader: waiting out OkHttp would cost every
   * build a minute.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void spansReachTheCollectorAndOnlyOkHttpsSharedThreadsOutliveUndeploy() throws Exception {
    Deployment traced = new Deployment("traced.war", "/traced");
    Path config =
        config(
            traced,
            """
            otel:
              enabled: true
              endpoint: %s
            logging:
              format: json
            routes:
              - path: /users/:id
                target: %s
                middleware: [tracing, logging]
            """
                .formatted(receiver.endpoint(), upstream.url()));
    deploy(traced, config).assertSucceeded();

    HttpResponse<String> answer = wildfly.get("/traced/users/7", "traceparent", CLIENT_TRACEPARENT);
    assertEquals(200, answer.statusCode(), answer::body);
    String sent = upstream.nextRequest().header("traceparent");
    assertTrue(sent != null && sent.startsWith("00-" + CLIENT_TRACE + "-"), sent);
    Span span = receiver.nextSpan(30);
    assertEquals("GET /users/:id", span.getName());
    assertEquals(CLIENT_TRACE, OtlpReceiver.hex(span.getTraceId()));
    assertEquals(sent.substring(36, 52), OtlpReceiver.hex(span.getSpanId()));
    assertEquals(OtlpReceiver.hex(span.getSpanId()), accessLine("/traced/users/7").get("span_id"));

    undeploy(traced).assertSucceeded();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    List<LeftBehind.JavaThread> left;
    while (!(left = otherThanOkHttps(LeftBehind.suspectThreads(threadsBefore, wildfly.threads())))
            .isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    List<LeftBehind.JavaThread> stillThere = left;
    assertTrue(stillThere.isEmpty(), () -> "threads left behind:\n" + stillThere);
    assertNoErrorsInServerLog();
  }

  private static List<LeftBehind.JavaThread> otherThanOkHttps(List<LeftBehind.JavaThread> threads) {
    return threads.stream()
        .filter(t -> !t.name().equals("OkHttp TaskRunner") && !t.name().equals("Okio Watchdog"))
        .toList();
  }

  private Commands.Result deploy(Deployment deployment, Path config)
      throws IOException, InterruptedException {
    deployed.add(deployment.name());
    return wildfly.runKit(
        KIT.resolve("deploy.sh"), WAR.toString(), config.toString(), deployment.name());
  }

  private Commands.Result undeploy(Deployment deployment) throws IOException, InterruptedException {
    Commands.Result result = wildfly.runKit(KIT.resolve("undeploy.sh"), deployment.name());
    if (result.succeeded()) {
      deployed.remove(deployment.name());
    }
    return result;
  }

  private void assertNothingLeftBehind(String name) throws IOException, InterruptedException {
    Duration took = wildfly.assertNothingLeftBehind(name, threadsBefore, PATIENCE);
    System.out.println(name + ": nothing left behind, " + took.toMillis() + " ms after undeploy");
  }

  private void assertNoErrorsInServerLog() throws IOException {
    List<String> errors = wildfly.errorsSince(logMark);
    assertTrue(errors.isEmpty(), () -> "ERROR in server.log:\n" + String.join("\n", errors));
  }

  private void assertProxied(String path) throws IOException, InterruptedException {
    HttpResponse<String> answer = wildfly.get(path);
    assertEquals(200, answer.statusCode(), answer::body);
    assertEquals(path, upstream.nextRequest().rawUri());
  }

  private static void assertRateLimited(HttpResponse<String> answer) throws IOException {
    assertEquals(429, answer.statusCode(), answer::body);
    assertTrue(answer.headers().firstValue("Retry-After").isPresent(), answer.headers()::toString);
    assertEquals("rate limit exceeded", JsonObjects.parse(answer.body()).get("error"));
  }

  /**
   * The access line for {@code path}, parsed: WildFly captures the webapp's standard output into
   * server.log, each line after its own prefix ({@code ... INFO [stdout] (default task-1) }).
   */
  private Map<String, Object> accessLine(String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (String l : wildfly.serverLogSince(logMark).split("\n")) {
        int json = l.indexOf('{');
        if (l.contains(" [stdout] ") && json > 0 && l.contains("\"path\":\"" + path + "\"")) {
          return JsonObjects.parse(l.substring(json));
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no access line for " + path + ":\n" + wildfly.serverLogSince(logMark));
  }

  private static Path config(Deployment deployment, String yaml) throws IOException {
    Path dir = Files.createDirectories(wildfly.base().resolve("configs"));
    return Files.writeString(
        dir.resolve(deployment.name() + "-" + UUID.randomUUID() + ".yaml"),
        yaml,
        StandardCharsets.UTF_8);
  }

  private static Path exportWar(WebArchive war) throws IOException {
    Path dir = Files.createDirectories(wildfly.base().resolve("test-wars"));
    Path file = dir.resolve(war.getName());
    war.as(ZipExporter.class).exportTo(file.toFile(), true);
    return file;
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
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
