package dev.gatewaywar.requestid;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * The built-in {@code request_id} middleware: keeps the client's request id or makes one, sends it
 * upstream and back, and exposes it as {@link dev.gatewaywar.api.RequestId}.
 */
public final class RequestIdMiddleware implements Middleware {
  public static final String NAME = "request_id";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(RequestIdBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return new RequestIdFilter(
        context.own(RequestIdBlock.INSTANCE).orElse(context.global(RequestIdBlock.INSTANCE)));
  }
}
