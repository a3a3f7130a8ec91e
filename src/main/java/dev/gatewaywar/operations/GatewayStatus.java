package dev.gatewaywar.operations;

import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of one running gateway (one webapp), for the admin page and JMX: the
 * configuration in use, its routes and their targets with live counts, and a reload on demand.
 *
 * <p>Every call reads the live state at that moment: after a reload it describes the new
 * configuration. Counts are read from the instruments the metrics already keep ({@code
 * gateway_requests_total}, the metrics filter's in-flight count, the targets' health and breakers),
 * so asking costs the request path nothing. Nothing here is a secret: routes are described by their
 * skeleton (pattern, methods, middleware names, target URLs without credentials), never by a
 * middleware's settings.
 *
 * <pre>{@code
 * GatewayStatus status = GatewayStatus.from(servletContext).orElseThrow();
 * status.config().digest();                  // SHA-256 hex of the file in use
 * status.routes().get(0).requests();         // OptionalLong, from gateway_requests_total
 * status.reload();                           // ReloadResult: ok, or why not
 * }</pre>
 *
 * <p>After the webapp stops the view is empty ({@link #routes()} lists nothing) and holds nothing
 * of the stopped gateway.
 */
public interface GatewayStatus {
  /** The servlet context attribute the gateway keeps its status under while it runs. */
  String ATTRIBUTE = GatewayStatus.class.getName();

  /** The configuration in use: where from, its digest, when it was loaded, the last reload. */
  ConfigStatus config();

  /** Every route of the configuration in use, in the file's order. */
  List<RouteStatus> routes();

  /**
   * Reads the configuration file again and applies it as the file watcher does: parsed as strictly
   * as at deployment, swapped in when it is whole, refused (and the configuration in use kept)
   * otherwise. Waits for the outcome.
   */
  ReloadResult reload();

  /** The status of the gateway running in {@code context}, while it runs. */
  static Optional<GatewayStatus> from(ServletContext context) {
    return context.getAttribute(ATTRIBUTE) instanceof GatewayStatus status
        ? Optional.of(status)
        : Optional.empty();
  }
}
