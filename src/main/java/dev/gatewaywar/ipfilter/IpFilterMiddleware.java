package dev.gatewaywar.ipfilter;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * The built-in {@code ip_filter} middleware: 403 for a client address in {@code deny} or outside a
 * non-empty {@code allow}.
 */
public final class IpFilterMiddleware implements Middleware {
  public static final String NAME = "ip_filter";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(IpFilterBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return new IpFilter(
        context.own(IpFilterBlock.INSTANCE).orElse(context.global(IpFilterBlock.INSTANCE)));
  }
}
