package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.routing.PathRewrite;
import dev.gatewaywar.routing.RequestPath;
import dev.gatewaywar.testing.TestLoaders;
import dev.gatewaywar.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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

  // --- tls -------------------------------------------------------------------------------------

  private record Files3(Path ca, Path cert, Path key) {}

  private Files3 pki() throws Exception {
    TestPki ca = TestPki.ca("test CA");
    TestPki.Issued client = ca.client("gw");
    return new Files3(
        ca.writeCertificate(dir.resolve("ca.pem")),
        TestPki.writePem(dir.resolve("client.pem"), client.certificate()),
        TestPki.writeKey(dir.resolve("client-key.pem"), client));
  }

  private static String tls(String... lines) {
    StringBuilder b = new StringBuilder("    tls:\n");
    for (String l : lines) {
      b.append("      ").append(l).append('\n');
    }
    return b.toString();
  }

  @Test
  void tlsFilesAreReadAtLoad() throws Exception {
    Files3 f = pki();
    RouteTls t =
        load(route(
                "/a/*",
                tls(
                    "ca_file: " + f.ca(),
                    "cert_file: " + f.cert(),
                    "key_file: " + f.key(),
                    "server_name: api.internal")))
            .routes()
            .get(0)
            .tls()
            .orElseThrow();
    assertEquals("CN=test CA", t.trusted().get(0).getSubjectX500Principal().getName());
    assertEquals("EC", t.client().orElseThrow().key().getAlgorithm());
    assertEquals(Optional.of("api.internal"), t.serverName());
    assertFalse(t.client().get().toString().contains("EC"), "a key is never printed");
  }

  @Test
  void withoutTlsTheRouteHasNone() throws Exception {
    assertEquals(Optional.empty(), load(route("/a/*", "")).routes().get(0).tls());
  }

  @Test
  void filesAreReadAgainOnEachLoad() throws Exception {
    Files3 f = pki();
    String yaml = route("/a/*", tls("ca_file: " + f.ca()));
    RouteTls first = load(yaml).routes().get(0).tls().orElseThrow();
    TestPki.ca("another CA").writeCertificate(f.ca());
    RouteTls second = load(yaml).routes().get(0).tls().orElseThrow();
    assertNotEquals(first, second);
    assertEquals("CN=another CA", second.trusted().get(0).getSubjectX500Principal().getName());
  }

  @Test
  void aMissingFileIsAProblemWithItsLine() {
    Path missing = dir.resolve("nope.pem");
    assertProblem(
        onlyProblem(route("/a/*", tls("server_name: x.internal", "ca_file: " + missing))),
        6,
        "routes[0].tls.ca_file",
        missing.toString(),
        "no such file");
  }

  @Test
  void aKeyFileThatIsNotAKeyIsAProblemThatQuotesNothingOfIt() throws Exception {
    Files3 f = pki();
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(
        garbage, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n");
    ConfigProblem p =
        onlyProblem(route("/a/*", tls("cert_file: " + f.cert(), "key_file: " + garbage)));
    assertProblem(p, 6, "routes[0].tls.key_file", "not a valid PEM private key");
    assertFalse(p.message().contains("c2VjcmV0"), p.message());
  }

  @Test
  void aCertificateFileWithoutCertificatesIsAProblem() throws Exception {
    Files3 f = pki();
    assertProblem(
        onlyProblem(route("/a/*", tls("ca_file: " + f.key()))),
        5,
        "routes[0].tls.ca_file",
        "holds no PEM certificate");
  }

  @Test
  void aKeyFileWithoutAKeyIsAProblem() throws Exception {
    Files3 f = pki();
    assertProblem(
        onlyProblem(route("/a/*", tls("cert_file: " + f.cert(), "key_file: " + f.cert()))),
        6,
        "routes[0].tls.key_file",
        "holds no unencrypted PEM private key");
  }

  @Test
  void aKeyOfAnotherCertificateIsAProblem() throws Exception {
    Files3 f = pki();
    TestPki.Issued other = TestPki.ca("other CA").client("other");
    Path otherKey = TestPki.writeKey(dir.resolve("other-key.pem"), other);
    assertProblem(
        onlyProblem(route("/a/*", tls("cert_file: " + f.cert(), "key_file: " + otherKey))),
        6,
        "routes[0].tls.key_file",
        "does not belong to the first certificate");
  }

  @Test
  void certFileWithoutKeyFileIsAProblem() throws Exception {
    Files3 f = pki();
    assertProblem(
        onlyProblem(route("/a/*", tls("cert_file: " + f.cert()))),
        5,
        "routes[0].tls.cert_file",
        "go together");
  }

  @Test
  void tlsOnAnHttpTargetIsAProblem() throws Exception {
    Files3 f = pki();
    String yaml = "routes:\n  - path: /a/*\n    target: http://up\n" + tls("ca_file: " + f.ca());
    assertProblem(onlyProblem(yaml), 5, "routes[0].tls", "https targets only");
  }

  @Test
  void unknownTlsKeysAreProblems() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> load(route("/a/*", tls("ca_flie: /x.pem"))));
    assertEquals(
        List.of("routes[0].tls.ca_flie"), e.problems().stream().map(ConfigProblem::key).toList());
  }

  @Test
  void aServerNameMustBeAHostName() {
    assertProblem(
        onlyProblem(route("/a/*", tls("server_name: 'a b'"))),
        5,
        "routes[0].tls.server_name",
        "not a host name");
  }
}
