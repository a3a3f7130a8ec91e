package dev.gatewaywar.config;

/**
 * A {@link ConfigBlock} whose route-level copy has the same keys as the top-level one and takes the
 * keys it does not set from it (as {@code rate_limit} does); the top-level block takes its unset
 * keys from the defaults.
 *
 * @param <C> the settings (an immutable record)
 */
public abstract class InheritingBlock<C> implements ConfigBlock<C, C> {
  private final String key;
  private final C defaults;

  /**
   * @param key the block's key in the file
   * @param defaults the settings of an absent top-level block
   */
  protected InheritingBlock(String key, C defaults) {
    this.key = key;
    this.defaults = defaults;
  }

  @Override
  public final String key() {
    return key;
  }

  @Override
  public final C readGlobal(ConfigSection section) {
    return read(section, defaults);
  }

  @Override
  public final C readRoute(ConfigSection section, C global) {
    return read(section, global);
  }

  /** Reads one block, taking the keys it does not set from {@code inherited}. */
  protected abstract C read(ConfigSection section, C inherited);
}
