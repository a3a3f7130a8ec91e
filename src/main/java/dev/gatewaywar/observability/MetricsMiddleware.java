package dev.gatewaywar.observability;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;
import java.util.logging.Logger;

/**
 * {@code metrics}: counts and times the route's requests into {@code gateway_requests_total},
 * {@code gateway_request_duration_seconds} and {@code gateway_requests_in_flight}, labelled with
 * the route's pattern. What it counts is what reaches it: listed after {@code auth}, it never sees
 * the 401s.
 */
public final class MetricsMiddleware implements Middleware {
  public static final String NAME = "metrics";
  private static final Logger LOG = Logger.getLogger(MetricsMiddleware.class.getName());

  private final GatewayMetrics metrics;

  /**
   * @param metrics the webapp's metrics, which every route's filter records into
   */
  public MetricsMiddleware(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Filter create(MiddlewareContext context) {
    if (!context.config().metrics().enabled()) {
      LOG.warning(
          () ->
              "route "
                  + context.route().path()
                  + " lists metrics but metrics.prometheus.enabled is false: counted, never"
                  + " exposed");
    }
    String pattern = context.route().path();
    return new MetricsFilter(
        pattern, metrics.inFlight(pattern, context.route().methods()), metrics, System::nanoTime);
  }
}
