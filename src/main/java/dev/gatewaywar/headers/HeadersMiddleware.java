package dev.gatewaywar.headers;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.routing.PathPattern;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * The built-in {@code headers} middleware: sets, adds and removes request headers on the way
 * upstream and response headers on the way back, with values that may read the request.
 */
public final class HeadersMiddleware implements Middleware {
  public static final String NAME = "headers";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(HeadersBlock.INSTANCE);
  }

  /**
   * @throws IllegalArgumentException when a value names a path parameter the route's pattern does
   *     not have
   */
  @Override
  public Filter create(MiddlewareContext context) {
    HeadersConfig config =
        context.own(HeadersBlock.INSTANCE).orElse(context.global(HeadersBlock.INSTANCE));
    var segments = PathPattern.parse(context.route().path()).segments();
    for (HeaderTemplate t : config.templates()) {
      for (String param : t.params()) {
        if (!segments.contains(":" + param)) {
          throw new IllegalArgumentException(
              "${param." + param + "}: the route's path has no :" + param);
        }
      }
    }
    return new HeadersFilter(config, context.config().upstreamHeaders());
  }
}
