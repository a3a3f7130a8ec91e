package dev.gatewaywar.config;

import java.util.Optional;

/**
 * What the config loader asks about a middleware name found in a route: is it usable, and if not,
 * why. The core's middleware registry implements it; keeping it an interface lets the loader
 * validate names without knowing how middleware are built.
 */
@FunctionalInterface
public interface MiddlewareCatalog {

  /** Returns empty when {@code name} can be used, otherwise the reason it cannot. */
  Optional<String> problemWith(String name);
}
