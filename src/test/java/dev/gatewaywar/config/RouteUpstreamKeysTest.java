package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.routing.PathRewrite;
import dev.gatewaywar.routing.RequestPath;
import dev.gatewaywar.testing.TestLoaders;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's {@code tls}, {@code strip_prefix} and {@code rewrite} keys as the loader reads them.
 */
class RouteUpstreamKeysTest {
  @TempDir Path dir;

  private static GatewayConfig load(String yaml) throws ConfigException {
    return TestLoaders.anyMiddleware(name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  private static void assertProblem(ConfigProblem p, int line, String key, String... fragments) {
    assertAll(
        () -> assertEquals(line, p.line(), () -> "line of " + p),
        () -> assertEquals(key, p.key(), () -> "key of " + p));
    for (String f : fragments) {
      assertTrue(p.message().contains(f), () -> "'" + p.message() + "' should contain '" + f + "'");
    }
  }

  private static String route(String path, String extra) {
    return "routes:\n  - path: " + path + "\n    target: https://up.internal:8443\n" + extra;
  }

  // --- strip_prefix and rewrite ----------------------------------------------------------------

  @Test
  void withoutEitherKeyThePathIsSentAsMatched() throws Exception {
    assertSame(PathRewrite.NONE, load(route("/api/*", "")).routes().get(0).rewrite());
  }

  @Test
  void stripPrefixAndRewriteAreCompiledAgainstTheRoute() throws Exception {
    GatewayConfig c =
        load(
            route("/api/*", "    strip_prefix: /api\n")
                + "  - path: /v1/*\n    target: http://a\n    rewrite: /v2/:rest\n");
    assertEquals("/x", c.routes().get(0).rewrite().apply(RequestPath.parse("/api/x")));
    assertEquals("/v2/x", c.routes().get(1).rewrite().apply(RequestPath.parse("/v1/x")));
  }

  @Test
  void bothKeysOnOneRouteAreAProblem() {
    assertProblem(
        onlyProblem(route("/api/*", "    strip_prefix: /api\n    rewrite: /v2/:rest\n")),
        5,
        "routes[0].rewrite",
        "either rewrite or strip_prefix");
  }

  @Test
  void aStripPrefixThatIsNotThePatternsPrefixIsAProblemWithItsLine() {
    assertProblem(
        onlyProblem(route("/api/*", "    strip_prefix: /ap\n")),
        4,
        "routes[0].strip_prefix",
        "'/ap' is not a prefix of the route's path /api/*");
  }

  @Test
  void anUnknownTemplateParameterIsAProblemWithItsLine() {
    assertProblem(
        onlyProblem(route("/users/:id", "    rewrite: /u/:user\n")),
        4,
        "routes[0].rewrite",
        "':user' is not a parameter of the route's path /users/:id");
  }

  @Test
  void restOnARouteWithoutPrefixIsAProblem() {
    assertProblem(
        onlyProblem(route("/users/:id", "    rewrite: /u/:rest\n")),
        4,
        "routes[0].rewrite",
        "':rest' needs a prefix path");
  }

  @Test
  void aBadPathReportsOnlyThePath() {
    assertProblem(
        onlyProblem(route("users", "    rewrite: /u/:rest\n")), 2, "routes[0].path", "must start");
  }
}
