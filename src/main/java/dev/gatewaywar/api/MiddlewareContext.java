package dev.gatewaywar.api;

import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RouteConfig;
import jakarta.servlet.ServletContext;

/**
 * What a {@link Middleware} may look at when it builds a route's filter.
 *
 * @param config the whole configuration
 * @param route the route the filter is for
 * @param servletContext the gateway web application's context
 */
public record MiddlewareContext(
    GatewayConfig config, RouteConfig route, ServletContext servletContext) {}
