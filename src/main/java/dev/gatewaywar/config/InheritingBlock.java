package dev.gatewaywar.config;

/**
 * A {@link ConfigBlock} whose route's own block has the same keys as the top-level one and inherits
 * those it does not set (as {@code rate_limit} does): one reader serves both, given the settings
 * the block's keys default to.
 *
 * @param <G> the block's settings (an immutable record)
 */
public abstract class InheritingBlock<G> implements ConfigBlock<G, G> {
  private final String key;
  private final G defaults;

  /**
   * @param key the block's key
   * @param defaults what the top-level block holds when the file does not set a key
   */
  protected InheritingBlock(String key, G defaults) {
    this.key = key;
    this.defaults = defaults;
  }

  /**
   * Reads {@code section}, taking what it does not set from {@code inherited} (the defaults for the
   * top-level block, the top-level block's settings for a route's own).
   */
  protected abstract G read(ConfigSection section, G inherited);

  @Override
  public final String key() {
    return key;
  }

  @Override
  public final G readGlobal(ConfigSection section) {
    return read(section, defaults);
  }

  @Override
  public final G readRoute(ConfigSection section, G global) {
    return read(section, global);
  }
}
