package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.TestLoaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operations keys of {@code server:}: drain timeout and reload. */
class ServerConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null);

  private ServerConfig server(String yaml) throws ConfigException {
    return loader.parse(yaml + "routes: []\n", "test.yaml").server();
  }

  private String problems(String yaml) {
    return assertThrows(ConfigException.class, () -> server(yaml)).getMessage();
  }

  @Test
  void withoutKeysReloadIsOnAndTheDrainTakesThirtySeconds() throws Exception {
    ServerConfig s = server("");

    assertEquals(Duration.ofSeconds(30), s.drainTimeout());
    assertEquals(ReloadConfig.DEFAULT, s.reload());
    assertEquals(Duration.ofSeconds(2), s.reload().interval());
    assertFalse(s.underscoresInHeaders());
  }

  @Test
  void underscoresInHeadersIsAStrictBoolean() throws Exception {
    assertTrue(server("server:\n  underscores_in_headers: true\n").underscoresInHeaders());
    String message = problems("server:\n  underscores_in_headers: sometimes\n");
    assertTrue(
        message.contains(
            "line 2: server.underscores_in_headers: expected true or false, found 'sometimes'"),
        message);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    ServerConfig s =
        server(
            """
            server:
              drain_timeout: 45s
              reload:
                enabled: false
                interval: 500ms
                debounce: 1s
            """);

    assertEquals(Duration.ofSeconds(45), s.drainTimeout());
    assertFalse(s.reload().enabled());
    assertEquals(Duration.ofMillis(500), s.reload().interval());
    assertEquals(Duration.ofSeconds(1), s.reload().debounce());
  }

  @Test
  void aMisspeltReloadKeyIsNamedWithItsLine() {
    String message = problems("server:\n  reload:\n    intervall: 1s\n");

    assertTrue(
        message.contains("line 3: server.reload.intervall: unknown key (did you mean 'interval'?)"),
        message);
  }

  @Test
  void aBareNumberOrATooShortIntervalIsAProblem() {
    String message = problems("server:\n  drain_timeout: 30\n  reload:\n    interval: 1ms\n");

    assertTrue(message.contains("line 2: server.drain_timeout:"), message);
    assertTrue(message.contains("line 4: server.reload.interval: must be at least 50ms"), message);
  }
}
