package dev.gatewaywar;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.clientaddress.TrustedProxies;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.observability.BuiltInEndpoints;
import dev.gatewaywar.operations.AdminPage;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.proxy.OwnedHeaders;
import dev.gatewaywar.proxy.ProxyRoute;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamTargets;
import dev.gatewaywar.routing.Router;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One configuration made ready to serve: the router and each route's filter instances. Immutable
 * once built; a reload builds a new one and retires the old.
 *
 * <p>Every request holds a lease on the runtime it started with, from the front controller to the
 * end of its response, so a retired runtime's filters (and the connections, caches and exporters
 * behind them) are destroyed by the last request that used them, never under a running one. The
 * lease count is {@code -1} once the filters are destroyed: no lease can be taken after that.
 */
final class GatewayRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GatewayRuntime.class.getName());
  private static final int DESTROYED = -1;

  private final GatewayConfig config;
  private final Router<CompiledRoute> router;
  private final List<CompiledRoute> routes;
  private final List<Filter> filters;
  private final List<UpstreamTargets> targets;
  private final List<UpstreamClient.RouteSettings> upstreamSettings;
  private final TrustedProxies trustedProxies;
  private final BuiltInEndpoints endpoints;
  private final AdminPage admin;
  private final AtomicInteger leases = new AtomicInteger();
  private final AtomicBoolean destroyed = new AtomicBoolean();
  private volatile boolean retired;
  private final Object idle = new Object();

  /** Set once a drain waits: until then a request ending takes no lock. */
  private volatile boolean awaited;

  private GatewayRuntime(
      GatewayConfig config,
      List<Router.Route<CompiledRoute>> routes,
      List<Filter> filters,
      List<UpstreamTargets> targets,
      List<UpstreamClient.RouteSettings> upstreamSettings,
      BuiltInEndpoints endpoints,
      GatewayStatus status) {
    this.config = config;
    this.router = Router.of(routes);
    this.routes = routes.stream().map(Router.Route::value).toList();
    this.filters = filters;
    this.targets = targets;
    this.upstreamSettings = upstreamSettings;
    this.trustedProxies = TrustedProxies.of(config.server().trustedProxies());
    this.endpoints = endpoints;
    this.admin = AdminPage.of(config.admin(), status, trustedProxies);
  }

  /**
   * Builds every route's filters (calling {@code init} on each) and the router.
   *
   * @throws ConfigException when a middleware refuses its route; filters already built are
   *     destroyed first (and whatever else the routes took released, also when anything else fails)
   */
  static GatewayRuntime build(GatewayConfig config, WebappParts parts) throws ConfigException {
    Taken taken = new Taken();
    List<Router.Route<CompiledRoute>> routes = new ArrayList<>();
    OwnedHeaders owned = OwnedHeaders.of(config);
    GatewayRuntime runtime;
    try {
      for (RouteConfig route : config.routes()) {
        routes.add(
            new Router.Route<>(
                route.pattern(), route.methods(), compile(route, config, parts, owned, taken)));
      }
      runtime =
          new GatewayRuntime(
              config,
              routes,
              List.copyOf(taken.filters),
              List.copyOf(taken.targets),
              List.copyOf(taken.settings),
              BuiltInEndpoints.of(config, parts.metrics(), parts.readiness()),
              parts.status());
    } catch (RuntimeException e) {
      // what the routes built so far took (filters, health checks, a TLS pool) is given back
      discard(taken.filters, taken.targets, taken.settings);
      throw e;
    }
    if (!taken.problems.isEmpty()) {
      runtime.close();
      throw new ConfigException(config.source(), taken.problems);
    }
    return runtime;
  }

  /** What the routes of a runtime being built have taken so far, and the problems found. */
  private static final class Taken {
    final List<Filter> filters = new ArrayList<>();
    final List<UpstreamTargets> targets = new ArrayList<>();
    final List<UpstreamClient.RouteSettings> settings = new ArrayList<>();
    final List<ConfigProblem> problems = new ArrayList<>();
  }

  /** One route: its filters, its targets (when it has several) and its upstream settings. */
  private static CompiledRoute compile(
      RouteConfig route, GatewayConfig config, WebappParts parts, OwnedHeaders owned, Taken taken) {
    Filter[] chain = chain(route, config, parts, taken);
    TimeoutsConfig timeouts = config.timeoutsFor(route);
    UpstreamTargets targets = null;
    if (!route.upstreams().isPlain()) {
      targets = parts.targets().open(route);
      taken.targets.add(targets);
    }
    UpstreamClient.RouteSettings upstream = parts.upstream().settingsFor(timeouts, route.tls());
    taken.settings.add(upstream);
    ProxyRoute proxy =
        new ProxyRoute(
            route.target(),
            route.preserveHost(),
            timeouts,
            owned,
            upstream,
            route.rewrite(),
            targets);
    return new CompiledRoute(route, chain, proxy);
  }

  /** The route's middleware filters, created and initialised; a refusal becomes a problem. */
  private static Filter[] chain(
      RouteConfig route, GatewayConfig config, WebappParts parts, Taken taken) {
    ServletContext servletContext = parts.servletContext();
    Filter[] chain = new Filter[route.middleware().size()];
    for (int i = 0; i < chain.length; i++) {
      String name = route.middleware().get(i);
      try {
        Middleware m =
            parts
                .registry()
                .find(name)
                .orElseThrow(() -> new IllegalStateException("unknown middleware"));
        Filter f = m.create(new MiddlewareContext(config, route, servletContext));
        f.init(filterConfig(route.path() + " " + name, servletContext));
        taken.filters.add(f);
        chain[i] = f;
      } catch (Exception e) {
        taken.problems.add(
            new ConfigProblem(
                route.line(),
                "middleware '" + name + "' on route " + route.path(),
                String.valueOf(e.getMessage())));
      }
    }
    return chain;
  }

  GatewayConfig config() {
    return config;
  }

  Router<CompiledRoute> router() {
    return router;
  }

  /** Every route, built, in the file's order. */
  List<CompiledRoute> routes() {
    return routes;
  }

  /** Whose {@code X-Forwarded-For} names the client ({@code server.trusted_proxies}). */
  TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** The metrics and health endpoints, answered before route matching. */
  BuiltInEndpoints endpoints() {
    return endpoints;
  }

  /** The admin page, answered before route matching; answers nothing when {@code admin} is off. */
  AdminPage admin() {
    return admin;
  }

  /**
   * Takes a lease for one request.
   *
   * @return false when the filters are already destroyed (a reload retired this runtime and its
   *     last request has finished, or the gateway has stopped)
   */
  boolean tryAcquire() {
    while (true) {
      int n = leases.get();
      if (n == DESTROYED) {
        return false;
      }
      if (leases.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives a lease back; the last one given back to a retired runtime destroys its filters. */
  void release() {
    int n = leases.decrementAndGet();
    if (n == 0) {
      if (retired) {
        destroyIfIdle();
      }
      if (awaited) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
  }

  /**
   * Marks this runtime as replaced: its filters are destroyed as soon as no request holds a lease
   * (at once, when none does). Requests that took their lease before keep running on it.
   */
  void retire() {
    retired = true;
    destroyIfIdle();
  }

  /** Requests running on this runtime now. */
  int inFlight() {
    return Math.max(0, leases.get());
  }

  /** True once its filters are destroyed. */
  boolean isDestroyed() {
    return destroyed.get();
  }

  /**
   * Waits until no request holds a lease, or until {@code deadlineNanos} on {@code nanoTime}.
   *
   * @return true when idle
   */
  boolean awaitIdle(long deadlineNanos, LongSupplier nanoTime) throws InterruptedException {
    awaited = true;
    synchronized (idle) {
      while (leases.get() > 0) {
        long left = deadlineNanos - nanoTime.getAsLong();
        if (left <= 0) {
          return false;
        }
        // bounded: a release racing this check is seen at the next round at the latest
        idle.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
      }
      return true;
    }
  }

  private void destroyIfIdle() {
    if (leases.compareAndSet(0, DESTROYED)) {
      destroyFilters();
    }
  }

  /**
   * Destroys every filter this configuration created, whether or not requests still run on it (at
   * the end of a bounded drain, or when a build failed). Idempotent.
   */
  @Override
  public void close() {
    int running = leases.getAndSet(DESTROYED);
    if (running > 0) {
      LOG.warning(
          () ->
              "closing the configuration from "
                  + config.source()
                  + " with "
                  + running
                  + " request(s) still running on it (server.drain_timeout "
                  + config.server().drainTimeout().toSeconds()
                  + " s passed)");
    }
    destroyFilters();
  }

  private void destroyFilters() {
    if (!destroyed.compareAndSet(false, true)) {
      return;
    }
    discard(filters, targets, upstreamSettings);
  }

  private static void discard(
      List<Filter> filters,
      List<UpstreamTargets> targets,
      List<UpstreamClient.RouteSettings> upstreamSettings) {
    targets.forEach(UpstreamTargets::close);
    for (Filter f : filters) {
      try {
        f.destroy();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "filter " + f.getClass().getName() + " failed to stop", e);
      }
    }
    // last: a route's own TLS pool that no newer configuration uses is closed now
    upstreamSettings.forEach(UpstreamClient.RouteSettings::release);
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
