package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ConfigLocationTest {
  private static final UnaryOperator<String> NONE = name -> null;

  private static UnaryOperator<String> only(String name, String value) {
    return Map.of(name, value)::get;
  }

  private static final UnaryOperator<String> PROPERTY =
      only("gateway.config", "/from/property.yaml");
  private static final UnaryOperator<String> ENV = only("GATEWAY_CONFIG", "/from/env.yaml");
  private static final UnaryOperator<String> INIT = only("gateway.config", "/from/init-param.yaml");

  @Test
  void systemPropertyBeatsEverything() {
    ConfigLocation l = ConfigLocation.resolve(PROPERTY, ENV, INIT);

    assertEquals(Optional.of(Path.of("/from/property.yaml")), l.file());
    assertEquals("system property gateway.config", l.origin());
  }

  @Test
  void environmentBeatsInitParam() {
    ConfigLocation l = ConfigLocation.resolve(NONE, ENV, INIT);

    assertEquals(Optional.of(Path.of("/from/env.yaml")), l.file());
    assertEquals("environment variable GATEWAY_CONFIG", l.origin());
  }

  @Test
  void initParamBeatsBundled() {
    ConfigLocation l = ConfigLocation.resolve(NONE, NONE, INIT);

    assertEquals(Optional.of(Path.of("/from/init-param.yaml")), l.file());
    assertEquals("context init-param gateway.config", l.origin());
  }

  @Test
  void bundledWhenNothingIsSet() {
    ConfigLocation l = ConfigLocation.resolve(NONE, NONE, NONE);

    assertEquals(Optional.empty(), l.file());
    assertEquals("WAR:/WEB-INF/gateway.yaml", l.describe());
  }

  @Test
  void environmentIsLookedUpUnderItsOwnName() {
    // GATEWAY_CONFIG, not gateway.config: a lookup under the property's name finds nothing
    ConfigLocation l = ConfigLocation.resolve(NONE, only("gateway.config", "/wrong.yaml"), NONE);

    assertEquals(Optional.empty(), l.file());
  }

  @Test
  void blankValuesAreSkippedAndOthersTrimmed() {
    ConfigLocation l =
        ConfigLocation.resolve(
            only("gateway.config", "   "), only("GATEWAY_CONFIG", " /env.yaml \n"), INIT);

    assertEquals(Optional.of(Path.of("/env.yaml")), l.file());
    assertEquals("/env.yaml", l.describe().replace('\\', '/'));
  }
}
