package dev.gatewaywar.observability;

import dev.gatewaywar.Middleware;
import dev.gatewaywar.MiddlewareContext;
import dev.gatewaywar.config.OtelConfig;
import jakarta.servlet.Filter;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code tracing}: W3C trace context to the upstream and a server span per request (see {@link
 * Tracing} for who exports). The routes of one configuration share one {@link Tracing}; it stops
 * when the last of their filters is destroyed. One instance per webapp.
 */
public final class TracingMiddleware implements Middleware {
  public static final String NAME = "tracing";
  private static final Logger LOG = Logger.getLogger(TracingMiddleware.class.getName());

  private final Map<OtelConfig, Shared> tracings = new HashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized Filter create(MiddlewareContext context) {
    OtelConfig config = context.config().otel();
    Shared shared = tracings.computeIfAbsent(config, c -> new Shared(Tracing.start(c)));
    shared.users++;
    if (!config.enabled() && !shared.tracing.agent()) {
      LOG.warning(
          () ->
              "route "
                  + context.route().path()
                  + " lists tracing but otel.enabled is false: the upstream gets a traceparent,"
                  + " but no span is exported (set otel.enabled: true and otel.endpoint, or attach"
                  + " the OpenTelemetry Java agent)");
    }
    return new TracingFilter(context.route().path(), shared.tracing, () -> release(config));
  }

  private synchronized void release(OtelConfig config) {
    Shared shared = tracings.get(config);
    if (shared != null && --shared.users == 0) {
      tracings.remove(config);
      shared.tracing.close();
    }
  }

  private static final class Shared {
    final Tracing tracing;
    int users;

    Shared(Tracing tracing) {
      this.tracing = tracing;
    }
  }
}
