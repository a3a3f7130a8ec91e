package dev.gatewaywar.config;

import java.util.Map;
import java.util.Optional;

/**
 * What the config loader asks about middleware: is a name found in a route usable, and which
 * configuration blocks do middleware own. The core's middleware registry implements it; keeping it
 * an interface lets the loader read and validate a file without knowing how middleware are built.
 */
@FunctionalInterface
public interface MiddlewareCatalog {

  /** Returns empty when {@code name} can be used, otherwise the reason it cannot. */
  Optional<String> problemWith(String name);

  /** The configuration blocks middleware own, by middleware name; none by default. */
  default Map<String, ConfigBlock<?, ?>> blocks() {
    return Map.of();
  }
}
