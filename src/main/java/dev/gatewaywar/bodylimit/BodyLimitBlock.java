package dev.gatewaywar.bodylimit;

import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.InheritingBlock;

/**
 * The {@code body_limit:} blocks. A route's own block inherits the keys it does not set from the
 * top-level one.
 */
public final class BodyLimitBlock extends InheritingBlock<BodyLimitConfig> {
  public static final BodyLimitBlock INSTANCE = new BodyLimitBlock();

  private BodyLimitBlock() {
    super(BodyLimitMiddleware.NAME, BodyLimitConfig.DEFAULT);
  }

  @Override
  protected BodyLimitConfig read(ConfigSection m, BodyLimitConfig inherited) {
    return new BodyLimitConfig(m.size("max", inherited.max(), 0, Integer.MAX_VALUE));
  }
}
