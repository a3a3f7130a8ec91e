package dev.gatewaywar.ipfilter;

import dev.gatewaywar.config.Cidr;
import java.util.List;

/**
 * The {@code ip_filter:} settings. A client address in {@code deny} is refused; so is one outside a
 * non-empty {@code allow}.
 *
 * @param allow when not empty, the only blocks a client may come from
 * @param deny blocks refused even when {@code allow} lists them
 */
public record IpFilterConfig(List<Cidr> allow, List<Cidr> deny) {
  public static final IpFilterConfig DEFAULT = new IpFilterConfig(List.of(), List.of());

  public IpFilterConfig {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }
}
