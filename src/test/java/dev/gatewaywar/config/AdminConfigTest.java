package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.TestLoaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code admin:} block: defaults, and every mistake stopped with its key and line. */
class AdminConfigTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, n -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "one problem expected: " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void offOnLoopbackByDefault() throws ConfigException {
    AdminConfig admin = load("routes: []\n").admin();
    assertEquals(AdminConfig.DEFAULT, admin);
    assertEquals(false, admin.enabled());
    assertEquals("/_gateway", admin.path());
    assertEquals("/_gateway/api", admin.apiPath());
    assertEquals(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128")), admin.allow());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    AdminConfig admin =
        load("""
                admin:
                  enabled: true
                  path: /ops/status
                  allow: [10.0.0.0/8, "2001:db8::/32"]
                routes: []
                """)
            .admin();
    assertEquals(
        new AdminConfig(
            true, "/ops/status", List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"))),
        admin);
  }

  @Test
  void anUnknownKeyStopsTheLoadWithItsLine() {
    ConfigProblem p = onlyProblem("admin:\n  enabled: true\n  alow: [10.0.0.0/8]\nroutes: []\n");
    assertEquals(3, p.line());
    assertEquals("admin.alow", p.key());
  }

  @Test
  void anEmptyAllowListIsRefused() {
    ConfigProblem p = onlyProblem("admin:\n  enabled: true\n  allow: []\nroutes: []\n");
    assertEquals("admin.allow", p.key());
    assertTrue(p.message().contains("must list"), p.message());
  }

  @Test
  void aBadAddressIsRefusedAtItsLine() {
    ConfigProblem p =
        onlyProblem("admin:\n  allow:\n    - 10.0.0.0/8\n    - not-an-address\nroutes: []\n");
    assertEquals(4, p.line());
  }

  @Test
  void thePathIsExact() {
    assertEquals("admin.path", onlyProblem("admin:\n  path: /ops/*\nroutes: []\n").key());
    assertEquals("admin.path", onlyProblem("admin:\n  path: ops\nroutes: []\n").key());
    assertEquals("admin.path", onlyProblem("admin:\n  path: /ops/\nroutes: []\n").key());
  }

  @Test
  void aPathAnotherBuiltInEndpointAnswersIsRefused() {
    ConfigProblem p =
        onlyProblem(
            """
            metrics:
              prometheus:
                enabled: true
                path: /ops/api
            admin:
              enabled: true
              path: /ops
            routes: []
            """);
    assertEquals("admin.path", p.key());
    assertTrue(p.message().contains("'/ops/api'"), p.message());
    assertEquals(
        "admin.path", onlyProblem("admin:\n  enabled: true\n  path: /healthz\nroutes: []\n").key());
  }
}
