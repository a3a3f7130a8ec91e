package dev.gatewaywar.ipfilter;

import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.InheritingBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ip_filter:} blocks. A route's own block inherits the list it does not set: a route
 * that sets only {@code allow} is still refused the top-level {@code deny}.
 */
public final class IpFilterBlock extends InheritingBlock<IpFilterConfig> {
  public static final IpFilterBlock INSTANCE = new IpFilterBlock();

  private IpFilterBlock() {
    super("ip_filter", IpFilterConfig.DEFAULT);
  }

  @Override
  protected IpFilterConfig read(ConfigSection s, IpFilterConfig inherited) {
    List<Cidr> allow = s.has("allow") ? cidrs(s, "allow") : inherited.allow();
    List<Cidr> deny = s.has("deny") ? cidrs(s, "deny") : inherited.deny();
    return new IpFilterConfig(allow, deny);
  }

  private static List<Cidr> cidrs(ConfigSection s, String key) {
    List<Cidr> blocks = new ArrayList<>();
    for (ConfigSection.Item item : s.scalarList(key)) {
      try {
        blocks.add(Cidr.parse(item.value()));
      } catch (IllegalArgumentException e) {
        s.problem(item, e.getMessage());
      }
    }
    return blocks;
  }
}
