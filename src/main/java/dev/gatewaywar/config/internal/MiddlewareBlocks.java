package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigSection.Item;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration blocks middleware own, read through their owners: the top-level ones once per
 * file, a route's own ones per route, and each owner's checks of the routes that list it.
 */
public final class MiddlewareBlocks {
  private final Map<String, ConfigBlock<?, ?>> owners;
  private final Map<String, Object> globals;

  private MiddlewareBlocks(Map<String, ConfigBlock<?, ?>> owners, Map<String, Object> globals) {
    this.owners = owners;
    this.globals = globals;
  }

  /**
   * Reads every owned top-level block of {@code doc} (an absent one gives its defaults).
   *
   * @param owners the blocks, by the name of the middleware owning each
   */
  public static MiddlewareBlocks read(YamlReader doc, Map<String, ConfigBlock<?, ?>> owners) {
    Map<String, Object> globals = new HashMap<>();
    for (ConfigBlock<?, ?> block : owners.values()) {
      YamlReader section = doc.mapping(block.key());
      globals.put(block.key(), block.readGlobal(section));
      section.rejectUnknownKeys();
    }
    return new MiddlewareBlocks(Map.copyOf(owners), globals);
  }

  /** The top-level settings, by block key. */
  public Map<String, Object> globals() {
    return globals;
  }

  /**
   * Reads the blocks {@code route} has of its own. A block whose owner the route does not list is
   * refused: settings written down but never applied would look like protection.
   */
  public Map<String, Object> readOwn(YamlReader route, List<String> middleware) {
    Map<String, Object> own = new HashMap<>();
    for (Map.Entry<String, ConfigBlock<?, ?>> e : owners.entrySet()) {
      String key = e.getValue().key();
      if (!route.has(key)) {
        continue;
      }
      if (!middleware.contains(e.getKey())) {
        route.problem(key, "has no effect: the route's middleware does not list " + e.getKey());
        continue;
      }
      YamlReader section = route.mapping(key);
      Object settings = readRoute(e.getValue(), section);
      if (settings != null) {
        own.put(key, settings);
      }
      section.rejectUnknownKeys();
    }
    return own;
  }

  /** Runs each listed owner's check of the route, reporting at the middleware's line. */
  public void check(List<Item> middleware, Map<String, Object> own, Problems problems) {
    List<String> names = middleware.stream().map(i -> i.value().trim()).toList();
    for (Item item : middleware) {
      ConfigBlock<?, ?> block = owners.get(item.value().trim());
      if (block != null) {
        check(block, names, own, m -> problems.add(item.line(), item.path(), m));
      }
    }
  }

  /** The request headers the route's middleware write for the upstream. */
  public Set<String> upstreamHeaders(List<String> middleware, Map<String, Object> own) {
    Set<String> headers = new LinkedHashSet<>();
    for (String name : middleware) {
      ConfigBlock<?, ?> block = owners.get(name);
      if (block != null) {
        headers.addAll(upstreamHeaders(block, own));
      }
    }
    return headers;
  }

  @SuppressWarnings("unchecked") // globals hold what each block's readGlobal returned
  private <G, R> R readRoute(ConfigBlock<G, R> block, YamlReader section) {
    return block.readRoute(section, (G) globals.get(block.key()));
  }

  @SuppressWarnings("unchecked") // globals and own hold what the block's readers returned
  private <G, R> void check(
      ConfigBlock<G, R> block,
      List<String> names,
      Map<String, Object> own,
      java.util.function.Consumer<String> refuse) {
    block.checkRoute(
        names, (G) globals.get(block.key()), Optional.ofNullable((R) own.get(block.key())), refuse);
  }

  @SuppressWarnings("unchecked") // as above
  private <G, R> Set<String> upstreamHeaders(ConfigBlock<G, R> block, Map<String, Object> own) {
    return block.upstreamHeaders(
        (G) globals.get(block.key()), Optional.ofNullable((R) own.get(block.key())));
  }
}
