package dev.gatewaywar;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.proxy.ProxyRoute;
import jakarta.servlet.Filter;

/** A route with everything a request needs built ahead of time: its filters and its upstream. */
record CompiledRoute(RouteConfig config, Filter[] filters, ProxyRoute proxy) {}
