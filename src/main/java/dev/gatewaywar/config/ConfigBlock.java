package dev.gatewaywar.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A configuration block a middleware owns: the top-level {@code key:} mapping and, when the
 * middleware allows one, a route's own {@code key:} mapping. The loader reads the skeleton of the
 * file (server, routes, timeouts, upstream, the built-in endpoints) and hands each block to its
 * owner, so a middleware's keys, defaults and rules live with the middleware, and a block nobody
 * owns stays an unknown key.
 *
 * <p>Both readers receive a strict {@link ConfigSection}: keys they do not ask for are reported as
 * unknown, with their line, after they return. Readers return a value even when they recorded
 * problems (the load fails anyway, but every problem of the file is found in one pass).
 *
 * @param <G> the top-level block's settings (an immutable record)
 * @param <R> a route's own block's settings
 */
public interface ConfigBlock<G, R> {

  /** The key of the top-level block and of a route's own block ({@code rate_limit}). */
  String key();

  /**
   * Reads the top-level block. Called for every configuration, with an empty section when the file
   * has no such block, so the result carries the defaults.
   */
  G readGlobal(ConfigSection section);

  /**
   * Reads a route's own block. Called only for routes that list the middleware and have the block;
   * a route that has it without listing the middleware is refused by the loader.
   *
   * <p>By default a route may not have one.
   */
  default R readRoute(ConfigSection section, G global) {
    section.problem("a route cannot have its own " + key() + " block");
    return null;
  }

  /**
   * Checks a route that lists the middleware, with the settings that will apply to it; each message
   * given to {@code refuse} is reported at the route's line for this middleware.
   *
   * @param middleware the route's middleware names, in chain order
   * @param own the route's own block, when it has one
   */
  default void checkRoute(
      List<String> middleware, G global, Optional<R> own, Consumer<String> refuse) {}

  /**
   * The request headers the middleware writes for the upstream on a route with these settings. The
   * gateway owns them on every route: a client's copy is dropped even on a route without the
   * middleware, so no route can be used to pass a forged one on.
   */
  default Set<String> upstreamHeaders(G global, Optional<R> own) {
    return Set.of();
  }

  /**
   * A top-level block only (a route may not have its own), read by {@code reader}.
   *
   * @param key the block's key in the file
   */
  static <G> ConfigBlock<G, Void> topLevel(String key, Function<ConfigSection, G> reader) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(reader, "reader");
    return new ConfigBlock<>() {
      @Override
      public String key() {
        return key;
      }

      @Override
      public G readGlobal(ConfigSection section) {
        return reader.apply(section);
      }
    };
  }
}
