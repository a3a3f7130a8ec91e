package dev.gatewaywar.observability;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.api.SharedResources;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code tracing}: W3C trace context to the upstream and a server span per request (see {@link
 * Tracing} for who exports). The routes whose {@code otel} settings are equal share one {@link
 * Tracing}, across reloads too; it stops when the last of their filters is destroyed. One instance
 * per webapp.
 */
public final class TracingMiddleware implements Middleware {
  public static final String NAME = "tracing";

  /** The top-level {@code otel:} block. */
  public static final ConfigBlock<OtelConfig, Void> CONFIG =
      ConfigBlock.topLevel("otel", OtelConfig::read);

  private static final Logger LOG = Logger.getLogger(TracingMiddleware.class.getName());

  private final SharedResources<OtelConfig, Tracing> tracings =
      new SharedResources<>(Tracing::close);

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
    OtelConfig config = context.global(CONFIG);
    SharedResources.Lease<Tracing> tracing = tracings.acquire(config, Tracing::start);
    if (!config.enabled() && !tracing.resource().agent()) {
      LOG.warning(
          () ->
              "route "
                  + context.route().path()
                  + " lists tracing but otel.enabled is false: the upstream gets a traceparent,"
                  + " but no span is exported (set otel.enabled: true and otel.endpoint, or attach"
                  + " the OpenTelemetry Java agent)");
    }
    return new TracingFilter(context.route().path(), tracing.resource(), tracing::release);
  }
}
