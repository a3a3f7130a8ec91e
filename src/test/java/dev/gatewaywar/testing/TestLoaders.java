package dev.gatewaywar.testing;

import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.MiddlewareCatalog;
import dev.gatewaywar.observability.GatewayMetrics;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Config loaders for tests that read files without building the routes. */
public final class TestLoaders {
  /** A class loader that sees no middleware providers, whatever the test class path holds. */
  public static final ClassLoader NO_PROVIDERS = new URLClassLoader(new URL[0], null);

  /** Accepts any middleware name; the built-ins own their blocks as in a deployed gateway. */
  public static final MiddlewareCatalog ANY_MIDDLEWARE =
      new MiddlewareCatalog() {
        private final Map<String, ConfigBlock<?, ?>> blocks =
            MiddlewareRegistry.standard(NO_PROVIDERS, GatewayMetrics.create()).blocks();

        @Override
        public Optional<String> problemWith(String name) {
          return Optional.empty();
        }

        @Override
        public Map<String, ConfigBlock<?, ?>> blocks() {
          return blocks;
        }
      };

  private TestLoaders() {}

  /** A loader accepting any middleware name, {@code ${NAME}} looked up in {@code variables}. */
  public static ConfigLoader anyMiddleware(UnaryOperator<String> variables) {
    return new ConfigLoader(ANY_MIDDLEWARE, variables);
  }
}
