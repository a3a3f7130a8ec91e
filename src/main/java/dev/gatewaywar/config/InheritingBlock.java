package dev.gatewaywar.config;

/**
 * A {@link ConfigBlock} whose route blocks have the same keys as the top-level one and inherit the
 * keys they do not set (as {@code rate_limit} does): one reader, given the settings to inherit
 * from: the defaults for the top-level block, the top-level settings for a route's own block.
 *
 * @param <S> the settings (an immutable record)
 */
public abstract class InheritingBlock<S> implements ConfigBlock<S, S> {
  private final String key;
  private final S defaults;

  /**
   * @param key the block's key in the file
   * @param defaults the settings of an absent top-level block
   */
  protected InheritingBlock(String key, S defaults) {
    this.key = key;
    this.defaults = defaults;
  }

  /** Reads {@code section}; each key it does not set keeps its value in {@code inherited}. */
  protected abstract S read(ConfigSection section, S inherited);

  @Override
  public final String key() {
    return key;
  }

  @Override
  public final S readGlobal(ConfigSection section) {
    return read(section, defaults);
  }

  @Override
  public final S readRoute(ConfigSection section, S global) {
    return read(section, global);
  }
}
