package dev.gatewaywar.observability;

import dev.gatewaywar.Middleware;
import dev.gatewaywar.MiddlewareContext;
import dev.gatewaywar.config.LoggingConfig;
import dev.gatewaywar.observability.internal.AccessLog;
import jakarta.servlet.Filter;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code logging}: one access-log line per request on standard output, JSON or text as {@code
 * logging.format} says. The routes of one configuration share one access log; it stops when the
 * last of their filters is destroyed (the webapp stops, or a reload retires the configuration). One
 * instance per webapp: the middleware registry is built per webapp.
 */
public final class LoggingMiddleware implements Middleware {
  public static final String NAME = "logging";

  private final Map<LoggingConfig, Shared> logs = new HashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized Filter create(MiddlewareContext context) {
    LoggingConfig config = context.config().logging();
    Shared shared = logs.computeIfAbsent(config, c -> new Shared(AccessLog.start(c)));
    shared.users++;
    String target = context.route().target().toString();
    String upstream = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
    return new AccessLogFilter(
        context.route().path(), upstream, shared.log, () -> release(config), System::nanoTime);
  }

  private synchronized void release(LoggingConfig config) {
    Shared shared = logs.get(config);
    if (shared != null && --shared.users == 0) {
      logs.remove(config);
      shared.log.close();
    }
  }

  private static final class Shared {
    final AccessLog log;
    int users;

    Shared(AccessLog log) {
      this.log = log;
    }
  }
}
