package dev.gatewaywar.auth;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.testing.TestLoaders;

/** Auth configs for tests, read from YAML by the real loader. */
final class AuthConfigs {
  private AuthConfigs() {}

  /** {@code body} is the inside of the {@code auth:} block, indented by two spaces. */
  static AuthConfig auth(String body) {
    try {
      return new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, k -> null)
          .parse("routes: []\nauth:\n  enabled: true\n" + body, "test")
          .global(AuthBlock.INSTANCE);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
