package dev.gatewaywar.basicauth;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class BasicAuthBlockTest {
  @TempDir Path dir;

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

  private Path htpasswd(String... lines) throws Exception {
    Path file = dir.resolve("users.htpasswd");
    Files.write(file, List.of(lines));
    return file;
  }

  @Test
  void defaultsAreTheContainerRealmWithoutRoles() throws ConfigException {
    BasicAuthConfig c = load("routes: []\n").global(BasicAuthBlock.INSTANCE);
    assertEquals(BasicAuthConfig.DEFAULT, c);
    assertEquals("gateway", c.realm());
    assertEquals(BasicAuthConfig.Source.CONTAINER, c.source());
    assertEquals(List.of(), c.roles());
  }

  @Test
  void containerSourceWithRoles() throws ConfigException {
    BasicAuthConfig c =
        load("basic_auth:\n  realm: shop\n  source: container\n  roles: [gateway-user]\n")
            .global(BasicAuthBlock.INSTANCE);
    assertEquals("shop", c.realm());
    assertEquals(List.of("gateway-user"), c.roles());
  }

  @Test
  void htpasswdFileIsReadAtLoad() throws Exception {
    Path file =
        htpasswd(
            "# users",
            "",
            "alice:" + BCrypt.hashpw("a", BCrypt.gensalt("$2y", 4)),
            "bob:" + BCrypt.hashpw("b", BCrypt.gensalt("$2a", 4)),
            "carol:" + BCrypt.hashpw("c", BCrypt.gensalt("$2b", 4)));
    BasicAuthConfig c =
        load("basic_auth:\n  source: htpasswd\n  file: " + file + "\n")
            .global(BasicAuthBlock.INSTANCE);
    assertEquals(3, c.users().size());
    assertTrue(c.users().hash("alice").orElseThrow().startsWith("$2y$04$"));
    assertFalse(c.users().hash("dave").isPresent());
    assertFalse(c.toString().contains("$2"), "no hash printed: " + c);
  }

  @Test
  void nonBcryptLineIsRefusedWithFileAndLine() throws Exception {
    Path file =
        htpasswd(
            "alice:" + BCrypt.hashpw("a", BCrypt.gensalt(4)),
            "bob:$apr1$abcdefgh$0123456789abcdefghijkl");
    ConfigProblem p = onlyProblem("basic_auth:\n  source: htpasswd\n  file: " + file + "\n");
    assertProblem(p, 3, file + " line 2: user 'bob' has no bcrypt hash");
    assertFalse(p.message().contains("apr1"), "the hash is not repeated");
  }

  @Test
  void missingFileIsRefused() {
    assertProblem(
        onlyProblem("basic_auth:\n  source: htpasswd\n  file: " + dir.resolve("none") + "\n"),
        3,
        "cannot read");
  }

  @Test
  void htpasswdNeedsAFile() {
    assertProblem(onlyProblem("basic_auth:\n  source: htpasswd\n"), 2, "needs file");
  }

  @Test
  void rolesNeedTheContainer() throws Exception {
    Path file = htpasswd("alice:" + BCrypt.hashpw("a", BCrypt.gensalt(4)));
    assertProblem(
        onlyProblem("basic_auth:\n  source: htpasswd\n  file: " + file + "\n  roles: [admin]\n"),
        4,
        "need source: container");
  }

  @Test
  void fileWithTheContainerIsRefused() throws Exception {
    Path file = htpasswd("alice:" + BCrypt.hashpw("a", BCrypt.gensalt(4)));
    assertProblem(onlyProblem("basic_auth:\n  file: " + file + "\n"), 2, "htpasswd only");
  }

  @Test
  void realmWithAQuoteIsRefused() {
    assertProblem(onlyProblem("basic_auth:\n  realm: 'a\"b'\n"), 2, "without quotes");
  }

  @Test
  void routeBlockInheritsTheKeysItDoesNotSet() throws Exception {
    GatewayConfig config =
        load(
            """
            basic_auth:
              realm: shop
              roles: [gateway-user]
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [basic_auth]
                basic_auth:
                  roles: [admin]
            """);
    BasicAuthConfig own = config.routes().get(0).own(BasicAuthBlock.INSTANCE).orElseThrow();
    assertEquals("shop", own.realm());
    assertEquals(List.of("admin"), own.roles());
  }
}
