package dev.gatewaywar.requestid;

import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.InheritingBlock;
import dev.gatewaywar.proxy.HopByHopHeaders;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code request_id:} blocks. A route's own block inherits the keys it does not set. The header
 * is the gateway's on every route: a client's copy reaches the upstream only as the id the filter
 * kept, never beside it.
 */
public final class RequestIdBlock extends InheritingBlock<RequestIdConfig> {
  public static final RequestIdBlock INSTANCE = new RequestIdBlock();

  private RequestIdBlock() {
    super("request_id", RequestIdConfig.DEFAULT);
  }

  @Override
  public Set<String> upstreamHeaders(RequestIdConfig global, Optional<RequestIdConfig> own) {
    return Set.of(own.orElse(global).header());
  }

  @Override
  protected RequestIdConfig read(ConfigSection s, RequestIdConfig inherited) {
    String header = s.string("header", inherited.header()).trim();
    if (!HttpTokens.isToken(header)) {
      s.problem("header", "'" + header + "' is not a header name");
      return inherited;
    }
    if (HopByHopHeaders.of(List.of()).contains(header)) {
      s.problem("header", header + " is a hop-by-hop header");
      return inherited;
    }
    return new RequestIdConfig(header);
  }
}
