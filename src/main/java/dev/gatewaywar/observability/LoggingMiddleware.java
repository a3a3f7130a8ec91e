package dev.gatewaywar.observability;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.api.SharedResources;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.observability.internal.AccessLog;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * {@code logging}: one access-log line per request on standard output, JSON or text as {@code
 * logging.format} says. The routes whose {@code logging} settings are equal share one access log,
 * across reloads too; it stops when the last of their filters is destroyed. One instance per
 * webapp: the middleware registry is built per webapp.
 */
public final class LoggingMiddleware implements Middleware {
  public static final String NAME = "logging";

  /** The top-level {@code logging:} block. */
  public static final ConfigBlock<LoggingConfig, Void> CONFIG =
      ConfigBlock.topLevel("logging", LoggingConfig::read);

  private final SharedResources<LoggingConfig, AccessLog> logs =
      new SharedResources<>(AccessLog::close);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(CONFIG);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    SharedResources.Lease<AccessLog> log = logs.acquire(context.global(CONFIG), AccessLog::start);
    String target = context.route().target().toString();
    String upstream = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
    return new AccessLogFilter(
        context.route().path(), upstream, log.resource(), log::release, System::nanoTime);
  }
}
