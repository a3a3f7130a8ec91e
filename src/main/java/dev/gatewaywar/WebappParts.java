package dev.gatewaywar;

import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.proxy.TargetMonitor;
import dev.gatewaywar.proxy.UpstreamClient;
import jakarta.servlet.ServletContext;

/**
 * What every {@link GatewayRuntime} of one webapp is built with: made once when the webapp starts,
 * passed to each build (at start and on every reload), and outliving each runtime.
 *
 * @param registry the middleware a route may name
 * @param servletContext the webapp's context, handed to the filters
 * @param upstream the one upstream client (and connection pool) of the webapp, which makes each
 *     route's settings for it
 * @param metrics what the front controller, the reloader and the built-in middleware record into,
 *     and the metrics endpoint exposes
 * @param readiness what the readiness endpoint answers from
 * @param targets the health checks and health of the targets of routes with several, kept across
 *     reloads
 * @param status the read-only view of the running gateway the admin page shows
 */
record WebappParts(
    MiddlewareRegistry registry,
    ServletContext servletContext,
    UpstreamClient upstream,
    GatewayMetrics metrics,
    Readiness readiness,
    TargetMonitor targets,
    GatewayStatus status) {}
