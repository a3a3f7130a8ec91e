package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.auth.AuthBlock;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.LoggingConfig;
import dev.gatewaywar.observability.LoggingMiddleware;
import dev.gatewaywar.observability.OtelConfig;
import dev.gatewaywar.observability.TracingMiddleware;
import dev.gatewaywar.ratelimit.RateLimitBlock;
import dev.gatewaywar.ratelimit.RateLimitConfig;
import dev.gatewaywar.routing.PathParameters;
import dev.gatewaywar.testing.TestLoaders;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  /** The config.yaml of the Go simple-api-gateway, byte for byte. */
  static final String GO_ORIGINAL =
      """
      server:
        port: 8080
      routes:
        - path: /users
          methods: [GET]
          target: http://localhost:9002
          middleware: [tracing, auth, ratelimit, logging, metrics]
        - path: /users/:id
          target: http://localhost:9002
        - path: /files/*
          target: http://localhost:9003
      auth:
        enabled: true
        type: jwt
        secret: "your-secret"
      rate_limit:
        enabled: true
        requests_per_second: 5
        burst: 4
      metrics:
        prometheus:
          enabled: true
          path: /metrics
      otel:
        enabled: true
        endpoint: localhost:4317
      logging:
        format: json
        level: info
      """;

  private static final MiddlewareCatalog ANY_MIDDLEWARE = TestLoaders.ANY_MIDDLEWARE;

  /** A class loader that sees no middleware providers, whatever the test class path holds. */
  private static final ClassLoader NO_PROVIDERS = new URLClassLoader(new URL[0], null);

  private static GatewayConfig load(String yaml) throws ConfigException {
    return load(yaml, Map.of());
  }

  private static GatewayConfig load(String yaml, Map<String, String> variables)
      throws ConfigException {
    return new ConfigLoader(ANY_MIDDLEWARE, variables::get).parse(yaml, "test.yaml");
  }

  private static List<ConfigProblem> problems(String yaml) {
    return problems(new ConfigLoader(ANY_MIDDLEWARE, name -> null), yaml);
  }

  private static List<ConfigProblem> problems(ConfigLoader loader, String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml, "test.yaml"));
    assertFalse(e.problems().isEmpty(), "a ConfigException always names at least one problem");
    return e.problems();
  }

  /** The one problem of a file that has exactly one. */
  private static ConfigProblem onlyProblem(String yaml) {
    List<ConfigProblem> all = problems(yaml);
    assertEquals(1, all.size(), () -> "expected one problem, got " + all);
    return all.get(0);
  }

  private static void assertProblem(ConfigProblem p, int line, String key, String... fragments) {
    assertAll(
        () -> assertEquals(line, p.line(), () -> "line of " + p),
        () -> assertEquals(key, p.key(), () -> "key of " + p));
    for (String f : fragments) {
      assertTrue(p.message().contains(f), () -> "'" + p.message() + "' should contain '" + f + "'");
    }
  }

  // --- the Go original -------------------------------------------------------------------------

  @Test
  void goOriginalConfigLoadsUnchanged() throws ConfigException {
    GatewayConfig c = load(GO_ORIGINAL);

    assertEquals(8080, c.server().port());
    assertEquals(3, c.routes().size());
    RouteConfig users = c.routes().get(0);
    assertEquals("/users", users.path());
    assertEquals(Set.of("GET"), users.methods());
    assertEquals(URI.create("http://localhost:9002"), users.target());
    assertEquals(List.of("tracing", "auth", "ratelimit", "logging", "metrics"), users.middleware());
    assertEquals(4, users.line());
    RouteConfig user = c.routes().get(1);
    assertEquals("/users/:id", user.path());
    assertTrue(user.methods().isEmpty(), "no methods means every method");
    assertTrue(user.allows("DELETE"));
    assertEquals(List.of(), user.middleware());
    assertEquals("/files/*", c.routes().get(2).path());
    assertEquals(URI.create("http://localhost:9003"), c.routes().get(2).target());

    assertEquals(new AuthConfig(true, "jwt", "your-secret"), c.global(AuthBlock.INSTANCE));
    assertEquals(new RateLimitConfig(true, 5, 4), c.global(RateLimitBlock.INSTANCE));
    assertEquals(new MetricsConfig(true, "/metrics"), c.metrics());
    assertEquals(new OtelConfig(true, "localhost:4317"), c.global(TracingMiddleware.CONFIG));
    assertEquals(
        new LoggingConfig(LoggingConfig.Format.JSON, "info"), c.global(LoggingMiddleware.CONFIG));
    assertEquals(TimeoutsConfig.DEFAULT, c.timeouts());
    assertEquals(UpstreamConfig.DEFAULT, c.upstream());
    assertEquals("test.yaml", c.source());
  }

  @Test
  void goOriginalConfigLoadsFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, GO_ORIGINAL, StandardCharsets.UTF_8);

    GatewayConfig c = new ConfigLoader(ANY_MIDDLEWARE, name -> null).load(file);

    assertEquals(3, c.routes().size());
    assertEquals(file.toString(), c.source());
  }

  @Test
  void missingFileIsAProblemNotACrash(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> new ConfigLoader(ANY_MIDDLEWARE, n -> null).load(file));
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).message().startsWith("cannot read file"), e.getMessage());
    assertEquals(file.toString(), e.source());
  }

  @Test
  void goOriginalConfigLoadsWithTheRealMiddlewareRegistry() throws ConfigException {
    ConfigLoader loader =
        new ConfigLoader(
            MiddlewareRegistry.standard(NO_PROVIDERS, GatewayMetrics.create()), n -> null);

    GatewayConfig c = loader.parse(GO_ORIGINAL, "config.yaml");

    assertEquals(
        List.of("tracing", "auth", "ratelimit", "logging", "metrics"),
        c.routes().get(0).middleware());
  }

  // --- unknown keys ----------------------------------------------------------------------------

  @Test
  void unknownTopLevelKeyIsReportedWithItsLineAndAHint() {
    ConfigProblem p =
        onlyProblem(
            """
            server:
              port: 8080
            ratelimit:
              enabled: true
            """);

    assertProblem(p, 3, "ratelimit", "unknown key", "did you mean 'rate_limit'?");
  }

  @Test
  void unknownKeyInARouteIsReportedWithItsPath() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://a
              - path: /b
                method: [GET]
                target: http://b
            """);

    assertProblem(p, 5, "routes[1].method", "unknown key", "did you mean 'methods'?");
  }

  @Test
  void unknownNestedKeyIsReportedWithItsFullPath() {
    ConfigProblem p =
        onlyProblem(
            """
            timeouts:
              connect: 1s
              raed: 5s
            """);

    assertProblem(p, 3, "timeouts.raed", "unknown key", "did you mean 'read'?");
  }

  @Test
  void unknownKeyInARoutesTimeoutsIsReported() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://a
                timeouts:
                  raed: 5s
            """);

    assertProblem(p, 5, "routes[0].timeouts.raed", "did you mean 'read'?");
  }

  @Test
  void unknownKeyFarFromAnyKnownOneGetsNoGuess() {
    ConfigProblem p = onlyProblem("server:\n  port: 8080\n  colour: blue\n");

    assertProblem(p, 3, "server.colour", "unknown key");
    assertFalse(p.message().contains("did you mean"), p::toString);
  }

  @Test
  void unknownKeyUnderMetricsIsNotIgnored() {
    ConfigProblem p =
        onlyProblem(
            """
            metrics:
              prometheus:
                enabled: true
                pth: /m
            """);

    assertProblem(p, 4, "metrics.prometheus.pth", "did you mean 'path'?");
  }

  // --- wrong types -----------------------------------------------------------------------------

  @Test
  void burstThatIsNotANumberIsReported() {
    ConfigProblem p = onlyProblem("rate_limit:\n  enabled: true\n  burst: lots\n");

    assertProblem(p, 3, "rate_limit.burst", "expected a whole number", "'lots'");
  }

  @Test
  void methodsThatIsNotAListIsReported() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                methods: GET
                target: http://a
            """);

    assertProblem(p, 3, "routes[0].methods", "expected a list");
  }

  @Test
  void booleanThatIsNeitherTrueNorFalseIsReported() {
    ConfigProblem p = onlyProblem("auth:\n  enabled: maybe\n");

    assertProblem(p, 2, "auth.enabled", "expected true or false", "'maybe'");
  }

  @Test
  void portOutOfRangeIsReported() {
    assertProblem(onlyProblem("server:\n  port: 70000\n"), 2, "server.port", "between 0 and 65535");
  }

  @Test
  void zeroRequestsPerSecondIsReported() {
    assertProblem(
        onlyProblem("rate_limit:\n  requests_per_second: 0\n"),
        2,
        "rate_limit.requests_per_second",
        "greater than");
  }

  @Test
  void mappingWhereAValueIsExpectedIsReported() {
    assertProblem(
        onlyProblem("auth:\n  secret:\n    nested: x\n"),
        3,
        "auth.secret",
        "expected a single value");
  }

  @Test
  void routesThatIsNotAListIsReported() {
    assertProblem(onlyProblem("routes:\n  path: /a\n"), 2, "routes", "expected a list");
  }

  @Test
  void methodThatIsNotAnHttpTokenIsReported() {
    assertProblem(
        onlyProblem(
            """
            routes:
              - path: /a
                methods: [GET, "PO ST"]
                target: http://a
            """),
        3,
        "routes[0].methods[1]",
        "is not an HTTP method");
  }

  @Test
  void methodsAreUpperCased() throws ConfigException {
    GatewayConfig c =
        load("routes:\n  - path: /a\n    methods: [get, Post]\n    target: http://a\n");

    assertEquals(Set.of("GET", "POST"), c.routes().get(0).methods());
  }

  @Test
  void unknownLoggingFormatIsReported() {
    assertProblem(onlyProblem("logging:\n  format: xml\n"), 2, "logging.format", "json or text");
  }

  @Test
  void metricsPathMustBeAbsolute() {
    assertProblem(
        onlyProblem("metrics:\n  prometheus:\n    path: metrics\n"),
        3,
        "metrics.prometheus.path",
        "must start with '/'");
  }

  @Test
  void metricsAllowListIsParsedIntoAddressBlocks() throws ConfigException {
    GatewayConfig c =
        load(
            "metrics:\n  prometheus:\n    enabled: true\n  allow: [127.0.0.1/32, 10.0.0.0/8, \"::1\"]\n");

    assertEquals(
        List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.0.0.0/8"), Cidr.parse("::1/128")),
        c.metrics().allow());
  }

  @Test
  void metricsAllowEntryThatIsNoAddressIsReportedAtItsLine() {
    assertProblem(
        onlyProblem("metrics:\n  allow:\n    - 10.0.0.0/8\n    - localhost\n"),
        4,
        "metrics.allow[1]",
        "'localhost' is not an IP address");
  }

  @Test
  void healthDefaultsAndOwnPaths() throws ConfigException {
    assertEquals(HealthConfig.DEFAULT, load("routes: []\n").health());
    assertEquals(
        new HealthConfig(true, "/live", "/ready"),
        load("health:\n  liveness_path: /live\n  readiness_path: /ready\n").health());
  }

  @Test
  void builtInEndpointsOnOnePathAreAProblem() {
    assertProblem(
        onlyProblem("metrics:\n  prometheus:\n    enabled: true\n    path: /healthz\n"),
        4,
        "metrics.prometheus.path",
        "different paths");
  }

  @Test
  void healthPathMustBeExact() {
    assertProblem(
        onlyProblem("health:\n  readiness_path: /ready/*\n"),
        2,
        "health.readiness_path",
        "exact path");
  }

  // --- targets ---------------------------------------------------------------------------------

  @Test
  void missingTargetIsReportedAtTheRoute() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://a
              - path: /b
                methods: [GET]
            """);

    assertProblem(p, 4, "routes[1].target", "is required");
  }

  @Test
  void missingPathIsReportedAtTheRoute() {
    assertProblem(
        onlyProblem("routes:\n  - target: http://a\n"), 2, "routes[0].path", "is required");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://x",
        "localhost:9002",
        "http:///no-host",
        "http://h/?q=1",
        "http://h/#frag",
        "http://user:pw@h/",
        "http://h/a b"
      })
  void unusableTargetIsReported(String target) {
    ConfigProblem p = onlyProblem("routes:\n  - path: /a\n    target: \"" + target + "\"\n");

    assertProblem(p, 3, "routes[0].target");
    // credentials are masked, never echoed
    assertTrue(p.message().contains(target.replace("user:pw@", "***@")), p::toString);
  }

  @Test
  void targetProblemsSayWhatIsWrong() {
    List<String> messages =
        problems(
                """
                routes:
                  - path: /a
                    target: ftp://x
                  - path: /b
                    target: http:///x
                  - path: /c
                    target: http://h/?q=1
                """)
            .stream()
            .map(ConfigProblem::message)
            .toList();

    assertEquals(3, messages.size(), messages::toString);
    assertTrue(messages.get(0).contains("http:// or https://"), messages.get(0));
    assertTrue(messages.get(1).contains("no host"), messages.get(1));
    assertTrue(messages.get(2).contains("query"), messages.get(2));
  }

  @Test
  void targetWithBasePathAndHttpsIsAccepted() throws ConfigException {
    GatewayConfig c = load("routes:\n  - path: /a\n    target: HTTPS://h:8443/base\n");

    assertEquals(URI.create("HTTPS://h:8443/base"), c.routes().get(0).target());
  }

  // --- path patterns ---------------------------------------------------------------------------

  @Test
  void malformedPathPatternsAreEachReported() {
    List<String> bad = List.of("users", "/a/*/b", "/a/:", "/a/:x/:x", "/a//b", "/a/*x");
    StringBuilder yaml = new StringBuilder("routes:\n");
    for (String path : bad) {
      yaml.append("  - path: \"").append(path).append("\"\n    target: http://h\n");
    }

    List<ConfigProblem> all = problems(yaml.toString());

    assertEquals(bad.size(), all.size(), all::toString);
    for (int i = 0; i < bad.size(); i++) {
      ConfigProblem p = all.get(i);
      assertProblem(p, 2 + 2 * i, "routes[" + i + "].path", "'" + bad.get(i) + "'");
    }
  }

  @Test
  void prefixWithParameterIsRejected() {
    assertProblem(
        onlyProblem("routes:\n  - path: /a/:x/*\n    target: http://h\n"),
        2,
        "routes[0].path",
        "cannot also have :parameters");
  }

  @Test
  void dotSegmentInPatternIsRejected() {
    assertProblem(
        onlyProblem("routes:\n  - path: /a/../b\n    target: http://h\n"), 2, "routes[0].path");
  }

  @Test
  void percentEscapeInPatternIsRejected() {
    assertProblem(
        onlyProblem("routes:\n  - path: /a%20b\n    target: http://h\n"),
        2,
        "routes[0].path",
        "decoded");
  }

  // --- duplicate routes ------------------------------------------------------------------------

  @Test
  void samePatternWithOverlappingMethodsIsADuplicate() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /users
                methods: [GET, POST]
                target: http://a
              - path: /users
                methods: [PUT, POST]
                target: http://b
            """);

    assertProblem(p, 5, "routes[1].path", "duplicate route", "line 2");
  }

  @Test
  void routeWithoutMethodsOverlapsEveryMethod() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /users
                methods: [GET]
                target: http://a
              - path: /users
                target: http://b
            """);

    assertProblem(p, 5, "routes[1].path", "duplicate route");
  }

  @Test
  void parametersWithDifferentNamesAreDuplicates() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /users/:id
                target: http://a
              - path: /users/:uid
                target: http://b
            """);

    assertProblem(p, 4, "routes[1].path", "duplicate route", "already defined at line 2");
  }

  @Test
  void samePrefixTwiceIsADuplicate() {
    assertProblem(
        onlyProblem(
            "routes:\n"
                + "  - path: /f/*\n"
                + "    target: http://a\n"
                + "  - path: /f/*\n"
                + "    target: http://b\n"),
        4,
        "routes[1].path",
        "duplicate route");
  }

  @Test
  void samePathWithDisjointMethodsIsFine() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /users
                methods: [GET]
                target: http://reader
              - path: /users
                methods: [POST, DELETE]
                target: http://writer
            """);

    assertEquals(2, c.routes().size());
    assertEquals(URI.create("http://writer"), c.routes().get(1).target());
  }

  @Test
  void trailingSlashMakesADifferentRoute() throws ConfigException {
    GatewayConfig c =
        load(
            "routes:\n"
                + "  - path: /users\n"
                + "    target: http://a\n"
                + "  - path: /users/\n"
                + "    target: http://b\n");

    assertEquals(2, c.routes().size());
  }

  // --- middleware names ------------------------------------------------------------------------

  @Test
  void unknownMiddlewareIsReportedWithItsLine() {
    MiddlewareCatalog onlyCors =
        name ->
            name.equals("cors")
                ? Optional.empty()
                : Optional.of("unknown middleware '" + name + "'");
    ConfigLoader loader = new ConfigLoader(onlyCors, n -> null);

    List<ConfigProblem> all =
        problems(
            loader,
            """
            routes:
              - path: /a
                target: http://a
                middleware:
                  - cors
                  - corz
            """);

    assertEquals(1, all.size(), all::toString);
    assertProblem(all.get(0), 6, "routes[0].middleware[1]", "unknown middleware 'corz'");
  }

  @Test
  void middlewareKeepsListOrder() throws ConfigException {
    GatewayConfig c =
        load(
            "routes:\n"
                + "  - path: /a\n"
                + "    target: http://a\n"
                + "    middleware: [metrics, tracing, logging]\n");

    assertEquals(List.of("metrics", "tracing", "logging"), c.routes().get(0).middleware());
  }

  // --- every problem at once -------------------------------------------------------------------

  @Test
  void everyProblemIsCollected() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    """
                    srever:
                      port: 8080
                    routes:
                      - path: /a
                    rate_limit:
                      burst: lots
                    """));

    assertEquals(
        List.of("line 1: srever", "line 4: routes[0].target", "line 6: rate_limit.burst"),
        e.problems().stream()
            .map(p -> "line " + p.line() + ": " + p.key())
            .sorted()
            .collect(Collectors.toList()));
    assertTrue(e.getMessage().contains("test.yaml (3 problems)"), e.getMessage());
  }

  @Test
  void problemReadsAsLineKeyMessage() {
    assertEquals(
        "line 3: auth.enabled: expected true or false, found 'maybe'",
        new ConfigProblem(3, "auth.enabled", "expected true or false, found 'maybe'").toString());
    assertEquals("YAML: bad", new ConfigProblem(0, "", "YAML: bad").toString());
  }

  // --- interpolation ---------------------------------------------------------------------------

  @Test
  void variableIsInterpolated() throws ConfigException {
    GatewayConfig c = load("auth:\n  secret: ${JWT_SECRET}\n", Map.of("JWT_SECRET", "s3cr3t"));

    assertEquals("s3cr3t", c.global(AuthBlock.INSTANCE).secret());
  }

  @Test
  void variableWithDefaultUsesTheDefaultWhenUnset() throws ConfigException {
    GatewayConfig c = load("server:\n  port: ${PORT:-9090}\n");

    assertEquals(9090, c.server().port());
  }

  @Test
  void variableWithDefaultUsesTheVariableWhenSet() throws ConfigException {
    GatewayConfig c = load("server:\n  port: ${PORT:-9090}\n", Map.of("PORT", "7070"));

    assertEquals(7070, c.server().port());
  }

  @Test
  void variableInsideATextAndInAListIsInterpolated() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /a
                methods: ["${VERB}"]
                target: http://${HOST}:9002/base
            """,
            Map.of("HOST", "users.internal", "VERB", "PATCH"));

    assertEquals(URI.create("http://users.internal:9002/base"), c.routes().get(0).target());
    assertEquals(Set.of("PATCH"), c.routes().get(0).methods());
  }

  @Test
  void doubledDollarIsALiteral() throws ConfigException {
    GatewayConfig c = load("auth:\n  secret: \"$${literal}\"\n", Map.of("literal", "WRONG"));

    assertEquals("${literal}", c.global(AuthBlock.INSTANCE).secret());
  }

  @Test
  void variableValuesAreNotInterpolatedAgain() throws ConfigException {
    GatewayConfig c = load("auth:\n  secret: ${A}\n", Map.of("A", "${B}", "B", "WRONG"));

    assertEquals("${B}", c.global(AuthBlock.INSTANCE).secret());
  }

  @Test
  void unsetVariableWithoutDefaultIsAProblemNamingIt() {
    ConfigProblem p = onlyProblem("auth:\n  enabled: true\n  secret: ${JWT_SECRET}\n");

    assertProblem(p, 3, "auth.secret", "JWT_SECRET", "is not set");
  }

  @Test
  void emptyFileIsAProblem() {
    assertProblem(onlyProblem(""), 0, "", "the file is empty");
    assertProblem(onlyProblem("# only a comment\n"), 0, "", "the file is empty");
  }

  @Test
  void emptyDefaultIsAllowed() throws ConfigException {
    assertEquals("", load("auth:\n  secret: ${NOPE:-}\n").global(AuthBlock.INSTANCE).secret());
  }

  @Test
  void malformedReferencesAreProblems() {
    List<ConfigProblem> all = problems("auth:\n  type: ${1X}\n  secret: \"${UNCLOSED\"\n");

    assertEquals(2, all.size(), all::toString);
    assertProblem(all.get(0), 2, "auth.type", "not a valid variable reference");
    assertProblem(all.get(1), 3, "auth.secret", "unclosed");
  }

  // --- durations and timeouts ------------------------------------------------------------------

  @Test
  void durationsUseGoSyntax() throws ConfigException {
    GatewayConfig c = load("timeouts:\n  connect: 500ms\n  read: 1m30s\n");

    assertEquals(new TimeoutsConfig(Duration.ofMillis(500), Duration.ofSeconds(90)), c.timeouts());
  }

  @Test
  void durationsWithHoursAndFractionsParse() throws ConfigException {
    GatewayConfig c = load("timeouts:\n  connect: 1.5s\n  read: 2h\n");

    assertEquals(new TimeoutsConfig(Duration.ofMillis(1500), Duration.ofHours(2)), c.timeouts());
  }

  @Test
  void bareNumberIsNotADuration() {
    assertProblem(
        onlyProblem("timeouts:\n  read: 30\n"), 2, "timeouts.read", "'30' is not a duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"5 s", "5sec", "s", "-5s", "5s30", "1d", "\"\""})
  void malformedDurationIsReported(String text) {
    assertProblem(onlyProblem("timeouts:\n  connect: " + text + "\n"), 2, "timeouts.connect");
  }

  @Test
  void zeroDurationIsReported() {
    assertProblem(onlyProblem("timeouts:\n  read: 0s\n"), 2, "timeouts.read", "longer than zero");
  }

  @Test
  void absurdlyLongDurationIsReportedNotWrappedNegative() {
    assertProblem(
        onlyProblem("timeouts:\n  read: 9999999999999h1h\n"), 2, "timeouts.read", "too long");
  }

  @Test
  void routeTimeoutsInheritUnsetKeysFromTheGlobalBlock() throws ConfigException {
    GatewayConfig c =
        load(
            """
            timeouts:
              connect: 2s
              read: 10s
            routes:
              - path: /slow
                target: http://a
                timeouts:
                  read: 2m
              - path: /plain
                target: http://b
            """);

    RouteConfig slow = c.routes().get(0);
    RouteConfig plain = c.routes().get(1);
    assertEquals(
        Optional.of(new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofMinutes(2))),
        slow.timeouts());
    assertEquals(
        new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofMinutes(2)), c.timeoutsFor(slow));
    assertEquals(Optional.empty(), plain.timeouts());
    assertEquals(
        new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(10)), c.timeoutsFor(plain));
  }

  @Test
  void clientBodyTimeoutIsReadGloballyAndPerRoute() throws ConfigException {
    GatewayConfig c =
        load(
            """
            timeouts:
              client_body: 10s
            routes:
              - path: /upload
                target: http://a
                timeouts:
                  client_body: 2m
              - path: /plain
                target: http://b
            """);

    assertEquals(Duration.ofSeconds(10), c.timeouts().clientBody());
    assertEquals(Duration.ofMinutes(2), c.timeoutsFor(c.routes().get(0)).clientBody());
    assertEquals(Duration.ofSeconds(10), c.timeoutsFor(c.routes().get(1)).clientBody());
    assertEquals(TimeoutsConfig.DEFAULT_READ, c.timeoutsFor(c.routes().get(0)).read());
  }

  @Test
  void clientBodyTimeoutDefaultsToAMinute() throws ConfigException {
    assertEquals(Duration.ofSeconds(60), load("timeouts:\n  read: 5s\n").timeouts().clientBody());
  }

  @Test
  void misspeltClientBodyTimeoutIsReported() {
    assertProblem(
        onlyProblem("routes:\n  - path: /a\n    target: http://a\n    timeouts:\n      body: 5s\n"),
        5,
        "routes[0].timeouts.body",
        "unknown key");
    assertProblem(
        onlyProblem("timeouts:\n  client_body: 0s\n"),
        2,
        "timeouts.client_body",
        "longer than zero");
  }

  @Test
  void perClientShareIsAQuarterOfThePerRoutePoolUnlessSet() throws ConfigException {
    assertEquals(128, UpstreamConfig.DEFAULT.maxConnectionsPerClient());
    assertEquals(
        25,
        load("upstream:\n  max_connections_per_route: 100\n").upstream().maxConnectionsPerClient());
    assertEquals(
        1,
        load("upstream:\n  max_connections_per_route: 3\n").upstream().maxConnectionsPerClient());
    assertEquals(
        7,
        load("upstream:\n  max_connections_per_client: 7\n").upstream().maxConnectionsPerClient());
  }

  @Test
  void perClientShareBelowOneIsReported() {
    assertProblem(
        onlyProblem("upstream:\n  max_connections_per_client: 0\n"),
        2,
        "upstream.max_connections_per_client");
  }

  @Test
  void routeTimeoutsInheritDefaultsWhenThereIsNoGlobalBlock() throws ConfigException {
    GatewayConfig c =
        load("routes:\n  - path: /a\n    target: http://a\n    timeouts:\n      connect: 1s\n");

    assertEquals(
        new TimeoutsConfig(Duration.ofSeconds(1), TimeoutsConfig.DEFAULT_READ),
        c.timeoutsFor(c.routes().get(0)));
  }

  // --- YAML itself -----------------------------------------------------------------------------

  @Test
  void yamlSyntaxErrorIsReportedWithALine() {
    ConfigProblem p =
        onlyProblem(
            """
            server:
              port: 8080
                bad: indent
            """);

    assertEquals(3, p.line(), p::toString);
    assertTrue(p.message().startsWith("YAML: "), p::toString);
  }

  @Test
  void anUnquotedIpv6AddressInAFlowListIsRefusedWithAHintToQuoteIt() {
    String route =
        """
        routes:
          - path: /a
            target: http://127.0.0.1:9
            middleware: [ip_filter]
            ip_filter: {allow: [127.0.0.1/32, %s]}
        """;
    ConfigProblem p = onlyProblem(route.formatted("::1/128"));

    assertEquals(5, p.line(), p::toString);
    assertTrue(p.message().contains("must be quoted"), p::toString);
    assertTrue(p.message().contains("\"::1/128\""), p::toString);
    // quoted, as the hint says, it is read
    GatewayConfig quoted = assertDoesNotThrow(() -> load(route.formatted("\"::1/128\"")));
    assertEquals(1, quoted.routes().size());
  }

  @Test
  void duplicateYamlKeyIsReportedWithItsLine() {
    ConfigProblem p =
        onlyProblem(
            """
            server:
              port: 8080
              port: 9090
            """);

    assertProblem(p, 3, "server.port", "duplicate key");
  }

  @Test
  void duplicateKeyInsideARouteIsReported() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://a
                target: http://b
            """);

    assertProblem(p, 4, "routes[0].target", "duplicate key");
  }

  @Test
  void documentThatIsNotAMappingIsReported() {
    assertProblem(onlyProblem("- just\n- a list\n"), 1, "", "expected a mapping");
  }

  @Test
  void aliasBombIsRefused() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x]\n");
    for (int i = 1; i < 60; i++) {
      yaml.append("a")
          .append(i)
          .append(": &a")
          .append(i)
          .append(" [*a")
          .append(i - 1)
          .append(", *a")
          .append(i - 1)
          .append("]\n");
    }

    ConfigProblem p = onlyProblem(yaml.toString());
    assertTrue(p.message().startsWith("YAML: "), p::toString);
  }

  // --- secrets ---------------------------------------------------------------------------------

  @Test
  void authToStringNeverShowsTheSecret() throws ConfigException {
    GatewayConfig c = load(GO_ORIGINAL);

    assertFalse(
        c.global(AuthBlock.INSTANCE).toString().contains("your-secret"),
        c.global(AuthBlock.INSTANCE).toString());
    assertFalse(c.toString().contains("your-secret"), "GatewayConfig.toString shows the secret");
    assertEquals("your-secret", c.global(AuthBlock.INSTANCE).secret());
    assertFalse(new AuthConfig(true, "jwt", "hunter2").toString().contains("hunter2"));
  }

  @Test
  void pathParametersAreRefusedUnlessTheServerBlockSaysStrip() throws ConfigException {
    String routes = "routes:\n  - path: /a\n    target: http://h\n";
    assertEquals(PathParameters.REJECT, load(routes).server().pathParameters());
    assertEquals(
        PathParameters.STRIP,
        load("server:\n  path_parameters: strip\n" + routes).server().pathParameters());
    assertProblem(
        onlyProblem("server:\n  path_parameters: keep\n" + routes),
        2,
        "server.path_parameters",
        "reject, strip");
  }

  // --- upstream response-head limits -----------------------------------------------------------

  @Test
  void responseHeadLimitsAreReadWithTheirUnits() throws ConfigException {
    GatewayConfig c =
        load(
            """
            upstream:
              max_response_headers: 50
              max_response_header_line: 4KiB
              max_response_head_size: 1MiB
            """);

    assertEquals(50, c.upstream().maxResponseHeaders());
    assertEquals(4096, c.upstream().maxResponseHeaderLine());
    assertEquals(1024 * 1024, c.upstream().maxResponseHeadSize());
  }

  @Test
  void responseHeadLimitsDefaultToTheNamedConstants() throws ConfigException {
    UpstreamConfig u = load("upstream:\n  max_connections: 10\n").upstream();

    assertEquals(UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADERS, u.maxResponseHeaders());
    assertEquals(UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADER_LINE, u.maxResponseHeaderLine());
    assertEquals(UpstreamConfig.DEFAULT_MAX_RESPONSE_HEAD_SIZE, u.maxResponseHeadSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"65536", "64KB", "64 kib", "-1KiB", "64k"})
  void responseHeadSizeWithoutABinaryUnitIsRefused(String size) {
    ConfigProblem p = onlyProblem("upstream:\n  max_response_head_size: " + size + "\n");

    assertProblem(p, 2, "upstream.max_response_head_size", "is not a size", "write it like");
  }

  @Test
  void responseHeaderLineBeyondTheCeilingIsRefused() {
    ConfigProblem p = onlyProblem("upstream:\n  max_response_header_line: 2MiB\n");

    assertProblem(p, 2, "upstream.max_response_header_line", "must be between", "2MiB");
  }

  @Test
  void misspeltResponseHeadKeyIsAnUnknownKey() {
    ConfigProblem p = onlyProblem("upstream:\n  max_response_header: 50\n");

    assertProblem(
        p,
        2,
        "upstream.max_response_header",
        "unknown key",
        "did you mean 'max_response_headers'?");
  }
}
