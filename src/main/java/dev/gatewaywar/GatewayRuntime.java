package dev.gatewaywar;

import dev.gatewaywar.clientaddress.TrustedProxies;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.observability.BuiltInEndpoints;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.proxy.ProxyRoute;
import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.routing.Router;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One configuration made ready to serve: the router and each route's filter instances. Immutable
 * once built; a reload builds a new one and retires the old.
 */
final class GatewayRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GatewayRuntime.class.getName());

  private final GatewayConfig config;
  private final Router<CompiledRoute> router;
  private final List<Filter> filters;
  private final TrustedProxies trustedProxies;
  private final BuiltInEndpoints endpoints;

  private GatewayRuntime(
      GatewayConfig config,
      Router<CompiledRoute> router,
      List<Filter> filters,
      BuiltInEndpoints endpoints) {
    this.config = config;
    this.router = router;
    this.filters = filters;
    this.trustedProxies = TrustedProxies.of(config.server().trustedProxies());
    this.endpoints = endpoints;
  }

  /**
   * Builds every route's filters (calling {@code init} on each) and the router.
   *
   * @throws ConfigException when a middleware refuses its route; filters already built are
   *     destroyed first
   */
  static GatewayRuntime build(
      GatewayConfig config, MiddlewareRegistry registry, ServletContext servletContext)
      throws ConfigException {
    List<Filter> all = new ArrayList<>();
    List<Router.Route<CompiledRoute>> routes = new ArrayList<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (RouteConfig route : config.routes()) {
      Filter[] chain = new Filter[route.middleware().size()];
      for (int i = 0; i < chain.length; i++) {
        String name = route.middleware().get(i);
        try {
          Middleware m =
              registry
                  .find(name)
                  .orElseThrow(() -> new IllegalStateException("unknown middleware"));
          Filter f = m.create(new MiddlewareContext(config, route, servletContext));
          f.init(filterConfig(route.path() + " " + name, servletContext));
          all.add(f);
          chain[i] = f;
        } catch (Exception e) {
          problems.add(
              new ConfigProblem(
                  route.line(),
                  "middleware '" + name + "' on route " + route.path(),
                  String.valueOf(e.getMessage())));
        }
      }
      ProxyRoute proxy =
          new ProxyRoute(route.target(), route.preserveHost(), config.timeoutsFor(route));
      routes.add(
          new Router.Route<>(
              PathPattern.parse(route.path()),
              route.methods(),
              new CompiledRoute(route, chain, proxy)));
    }
    BuiltInEndpoints endpoints =
        BuiltInEndpoints.of(
            config, GatewayMetrics.from(servletContext), Readiness.from(servletContext));
    GatewayRuntime runtime =
        new GatewayRuntime(config, Router.of(routes), List.copyOf(all), endpoints);
    if (!problems.isEmpty()) {
      runtime.close();
      throw new ConfigException(config.source(), problems);
    }
    return runtime;
  }

  GatewayConfig config() {
    return config;
  }

  Router<CompiledRoute> router() {
    return router;
  }

  /** Whose {@code X-Forwarded-For} names the client ({@code server.trusted_proxies}). */
  TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** The metrics and health endpoints, answered before route matching. */
  BuiltInEndpoints endpoints() {
    return endpoints;
  }

  /** Destroys every filter this configuration created. */
  @Override
  public void close() {
    for (Filter f : filters) {
      try {
        f.destroy();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "filter " + f.getClass().getName() + " failed to stop", e);
      }
    }
  }

  private static FilterConfig filterConfig(String name, ServletContext context) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return name;
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String key) {
        return null;
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.emptyEnumeration();
      }
    };
  }
}
