package dev.gatewaywar.bodylimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.TestLoaders;
import org.junit.jupiter.api.Test;

/** The {@code body_limit:} blocks, read as strictly as the gateway's own. */
class BodyLimitBlockTest {

  private static GatewayConfig load(String yaml) throws ConfigException {
    return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void defaultIsOneMebibyte() throws ConfigException {
    assertEquals(1024 * 1024, load("routes: []\n").global(BodyLimitBlock.INSTANCE).max(), "1MiB");
  }

  @Test
  void routeBlockOverridesTheTopLevelOne() throws ConfigException {
    GatewayConfig c =
        load(
            """
            body_limit:
              max: 64KiB
            routes:
              - path: /small
                target: http://127.0.0.1:1
                middleware: [body_limit]
                body_limit:
                  max: 10B
              - path: /other
                target: http://127.0.0.1:1
                middleware: [body_limit]
            """);
    assertEquals(64 * 1024, c.global(BodyLimitBlock.INSTANCE).max());
    assertEquals(10, c.routes().get(0).own(BodyLimitBlock.INSTANCE).orElseThrow().max());
    assertTrue(c.routes().get(1).own(BodyLimitBlock.INSTANCE).isEmpty());
  }

  @Test
  void unknownKeyNamesKeyAndLine() {
    ConfigProblem p = onlyProblem("body_limit:\n  maximum: 1MiB\n");
    assertEquals(2, p.line());
    assertTrue(p.key().contains("maximum"), p::toString);
  }

  @Test
  void sizeWithoutUnitIsRefused() {
    ConfigProblem p = onlyProblem("body_limit:\n  max: lots\n");
    assertEquals(2, p.line());
    assertTrue(p.key().contains("max"), p::toString);
  }
}
