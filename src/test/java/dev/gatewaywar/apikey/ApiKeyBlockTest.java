package dev.gatewaywar.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.apikey.ApiKeyConfig.ApiKey;
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

/** The {@code api_key:} blocks and their keys files, read as strictly as the gateway's own. */
class ApiKeyBlockTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);

  @TempDir Path dir;

  private static GatewayConfig load(String yaml) throws ConfigException {
    return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void keysAndKeysFileAreBothRead() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# consumers\n\nbilling " + B.toUpperCase() + "\n");
    ApiKeyConfig c =
        load("""
                api_key:
                  header: X-Key
                  keys:
                    - {name: mobile-app, sha256: AAAA}
                  keys_file: FILE
                """
                .replace("AAAA", A)
                .replace("FILE", file.toString()))
            .global(ApiKeyBlock.INSTANCE);
    assertEquals("X-Key", c.header());
    assertEquals(
        List.of(new ApiKey("mobile-app", A), new ApiKey("billing", B)),
        c.allKeys(),
        "digests kept in lower case");
  }

  @Test
  void routeBlockInheritsWhatItDoesNotSet() throws Exception {
    GatewayConfig c =
        load(
            """
            api_key:
              header: X-Key
              keys: [{name: one, sha256: AAAA}]
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [api_key]
                api_key:
                  keys: [{name: two, sha256: BBBB}]
            """
                .replace("AAAA", A)
                .replace("BBBB", B));
    ApiKeyConfig own = c.routes().get(0).own(ApiKeyBlock.INSTANCE).orElseThrow();
    assertEquals("X-Key", own.header());
    assertEquals(List.of(new ApiKey("two", B)), own.allKeys());
    assertTrue(c.upstreamHeaders().contains("X-Key"), "the key header is owned");
    assertTrue(c.upstreamHeaders().contains("X-Consumer"));
  }

  @Test
  void badLineOfTheKeysFileNamesFileAndLine() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "one " + A + "\ntwo not-a-digest\n");
    ConfigProblem p = onlyProblem("api_key:\n  keys_file: " + file + "\n");
    assertEquals(2, p.line());
    assertTrue(p.message().contains(file + " line 2"), p::toString);
    assertFalse(p.message().contains("not-a-digest"), "the value may be a key: never quoted");
  }

  @Test
  void missingKeysFileIsAProblem() {
    ConfigProblem p = onlyProblem("api_key:\n  keys_file: " + dir.resolve("none") + "\n");
    assertTrue(p.message().contains("cannot read"), p::toString);
  }

  @Test
  void badDigestInKeysIsAProblemAtItsLine() {
    ConfigProblem p = onlyProblem("api_key:\n  keys:\n    - name: x\n      sha256: secret\n");
    assertEquals(4, p.line());
    assertFalse(p.message().contains("secret"), p::toString);
  }

  @Test
  void unknownKeyInAnEntryIsAProblem() {
    ConfigProblem p =
        onlyProblem("api_key:\n  keys:\n    - name: x\n      sha256: " + A + "\n      key: k\n");
    assertEquals(5, p.line());
  }

  @Test
  void twoEntriesWithOneDigestAreAProblem() {
    ConfigProblem p =
        onlyProblem(
            "api_key:\n  keys:\n    - {name: x, sha256: "
                + A
                + "}\n    - {name: y, sha256: "
                + A
                + "}\n");
    assertTrue(p.message().contains("same sha256"), p::toString);
  }

  @Test
  void routeWithoutKeysIsRefused() {
    ConfigProblem p =
        onlyProblem(
            """
            routes:
              - path: /a
                target: http://127.0.0.1:1
                middleware: [api_key]
            """);
    assertTrue(p.message().contains("needs keys"), p::toString);
  }
}
