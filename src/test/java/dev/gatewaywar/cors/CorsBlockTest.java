package dev.gatewaywar.cors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.TestLoaders;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsBlockTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  private static void assertProblem(ConfigProblem p, int line, String fragment) {
    assertAll(
        () -> assertEquals(line, p.line(), () -> "line of " + p),
        () -> assertTrue(p.message().contains(fragment), p::message));
  }

  @Test
  void defaultsWhenAbsent() throws ConfigException {
    CorsConfig c = load("routes: []\n").global(CorsBlock.INSTANCE);
    assertEquals(CorsConfig.DEFAULT, c);
    assertTrue(c.allowOrigins().isEmpty());
    assertEquals(List.of("GET", "POST"), c.allowMethods());
    assertEquals(List.of("Authorization", "Content-Type"), c.allowHeaders());
    assertEquals(List.of(), c.exposeHeaders());
    assertFalse(c.allowCredentials());
    assertEquals(Duration.ofMinutes(10), c.maxAge());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    CorsConfig c =
        load("""
                cors:
                  allow_origins: ["https://app.example.com", "https://*.example.com"]
                  allow_methods: [GET, PUT]
                  allow_headers: [X-Trace]
                  expose_headers: [X-Request-Id, ETag]
                  allow_credentials: true
                  max_age: 90s
                """)
            .global(CorsBlock.INSTANCE);
    assertEquals(
        List.of("https://app.example.com", "https://*.example.com"), c.allowOrigins().written());
    assertTrue(c.allowOrigins().allows("https://x.example.com"));
    assertEquals(List.of("GET", "PUT"), c.allowMethods());
    assertEquals(List.of("X-Trace"), c.allowHeaders());
    assertEquals(List.of("X-Request-Id", "ETag"), c.exposeHeaders());
    assertTrue(c.allowCredentials());
    assertEquals(Duration.ofSeconds(90), c.maxAge());
  }

  @Test
  void routeBlockInheritsTheKeysItDoesNotSet() throws ConfigException {
    GatewayConfig config =
        load(
            """
            cors:
              allow_origins: ["https://app.example.com"]
              max_age: 1m
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [cors]
                cors:
                  allow_credentials: true
            """);
    CorsConfig own = config.routes().get(0).own(CorsBlock.INSTANCE).orElseThrow();
    assertEquals(List.of("https://app.example.com"), own.allowOrigins().written());
    assertTrue(own.allowCredentials());
    assertEquals(Duration.ofMinutes(1), own.maxAge());
  }

  @Test
  void starWithCredentialsIsRefusedAtTheStar() {
    assertProblem(
        onlyProblem(
            """
            cors:
              allow_origins:
                - "*"
              allow_credentials: true
            """),
        3,
        "allow_credentials");
  }

  @Test
  void routeCredentialsUnderAGlobalStarAreRefused() {
    assertProblem(
        onlyProblem(
            """
            cors:
              allow_origins: ["*"]
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [cors]
                cors:
                  allow_credentials: true
            """),
        8,
        "'*' cannot go with allow_credentials");
  }

  @Test
  void malformedOriginIsRefusedWithItsLine() {
    assertProblem(
        onlyProblem(
            """
            cors:
              allow_origins:
                - https://app.example.com
                - https://app.example.com/path
            """),
        4,
        "not an origin");
  }

  @Test
  void methodThatIsNotATokenIsRefused() {
    assertProblem(onlyProblem("cors:\n  allow_methods: [GET, \"P UT\"]\n"), 2, "HTTP token");
  }

  @Test
  void routeListingCorsWithoutOriginsIsRefused() {
    assertProblem(
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [cors]
            """),
        4,
        "allow_origins is empty");
  }

  @Test
  void corsAfterACredentialCheckIsRefused() {
    assertProblem(
        onlyProblem(
            """
            cors:
              allow_origins: ["https://app.example.com"]
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [basic_auth, cors]
            """),
        6,
        "list cors before basic_auth");
  }

  @Test
  void corsBeforeACredentialCheckIsFine() throws ConfigException {
    load(
        """
        cors:
          allow_origins: ["https://app.example.com"]
        routes:
          - path: /a
            target: http://127.0.0.1:1
            middleware: [cors, basic_auth]
        """);
  }

  @Test
  void unknownKeyIsRefused() {
    assertProblem(onlyProblem("cors:\n  allow_origin: [\"*\"]\n"), 2, "allow_origin");
  }
}
