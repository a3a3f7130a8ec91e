package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.auth.AuthBlock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: {@code check} validates a config offline, like {@code nginx -t}. */
class StandaloneMainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return StandaloneMain.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void checkAcceptsAValidConfig() throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "routes:\n  - path: /a\n    target: http://localhost:9000\n");
    assertEquals(0, run("check", file.toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("OK (1 routes)"), out.toString());
  }

  @Test
  void checkPrintsEveryProblemWithItsLineAndExits1() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        server:
          prot: 8080
        routes:
          - path: /a
            target: http://localhost:9000
            middleware: [loging]
          - path: b
        """);
    assertEquals(1, run("check", file.toString()));
    String report = err.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("line 2: server.prot: unknown key (did you mean 'port'?)"), report);
    assertTrue(
        report.contains("line 6: routes[0].middleware[0]: unknown middleware 'loging'"), report);
    assertTrue(report.contains("line 7: routes[1].path: 'b' must start with '/'"), report);
    assertTrue(report.contains("routes[1].target: is required"), report);
  }

  @Test
  void checkNeverPrintsTheAuthSecret() throws Exception {
    Path file = dir.resolve("secret.yaml");
    Files.writeString(
        file,
        """
        auth:
          secret: &s correct-horse-battery-staple
          enabled: *s
        routes: []
        """);
    assertEquals(1, run("check", file.toString()));
    String report = err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("line 2: auth.enabled: expected true or false"), report);
    assertFalse(report.contains("correct-horse-battery-staple"), report);
  }

  @Test
  void unknownCommandIsAUsageError() throws Exception {
    assertEquals(2, run("serve-me"));
  }

  @Test
  void tokenPrintsAnHsTokenTheConfigAccepts() throws Exception {
    Path file = dir.resolve("auth.yaml");
    Files.writeString(
        file,
        "auth:\n  enabled: true\n  secret: your-secret\nroutes:\n  - path: /a\n"
            + "    target: http://localhost:9000\n    middleware: [auth]\n");

    assertEquals(
        0,
        run(
            "token",
            "--config",
            file.toString(),
            "--sub",
            "alice",
            "--ttl",
            "2h",
            "--claim",
            "roles=[\"admin\"]",
            "--claim",
            "team=blue"));

    String token = out.toString(StandardCharsets.UTF_8).trim();
    dev.gatewaywar.api.Claims claims =
        dev.gatewaywar.auth.TokenVerifier.of(
                StandaloneMain.loader().load(file).global(AuthBlock.INSTANCE),
                java.time.Clock.systemUTC())
            .verify(token);
    assertEquals("alice", claims.subject().get());
    assertEquals(java.util.Set.of("admin"), claims.roles(java.util.Optional.empty()));
    assertEquals("blue", claims.string("team").get());
    long ttl =
        ((Number) claims.get("exp").get()).longValue()
            - ((Number) claims.get("iat").get()).longValue();
    assertEquals(7200, ttl);
  }

  @Test
  void tokenWithoutASecretSaysWhy() throws Exception {
    Path file = dir.resolve("noauth.yaml");
    Files.writeString(file, "routes: []\n");
    assertEquals(1, run("token", "--config", file.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("secret"), err.toString());
  }

  @Test
  void tokenWithoutConfigIsAUsageError() throws Exception {
    assertEquals(2, run("token", "--sub", "alice"));
  }
}
