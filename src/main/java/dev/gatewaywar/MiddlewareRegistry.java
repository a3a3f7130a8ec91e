package dev.gatewaywar;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.auth.AuthMiddleware;
import dev.gatewaywar.basicauth.BasicAuthMiddleware;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.MiddlewareCatalog;
import dev.gatewaywar.cors.CorsMiddleware;
import dev.gatewaywar.headers.HeadersMiddleware;
import dev.gatewaywar.ipfilter.IpFilterMiddleware;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.LoggingMiddleware;
import dev.gatewaywar.observability.MetricsMiddleware;
import dev.gatewaywar.observability.TracingMiddleware;
import dev.gatewaywar.ratelimit.RateLimitMiddleware;
import dev.gatewaywar.requestid.RequestIdMiddleware;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The middleware a route may name: the built-ins plus those found with {@link ServiceLoader} in the
 * web application's class loader (jars in {@code WEB-INF/lib}).
 */
public final class MiddlewareRegistry implements MiddlewareCatalog {

  private final Map<String, Middleware> byName;
  private final Map<String, ConfigBlock<?, ?>> blocks;

  private MiddlewareRegistry(Map<String, Middleware> byName) {
    this.byName = Map.copyOf(byName);
    Map<String, ConfigBlock<?, ?>> owned = new LinkedHashMap<>();
    byName.forEach((name, m) -> m.config().ifPresent(block -> owned.put(name, block)));
    this.blocks = Collections.unmodifiableMap(owned);
  }

  /**
   * Loads built-ins and every {@link Middleware} provider visible to {@code loader}.
   *
   * @throws IllegalStateException when two providers claim the same name
   */
  public static MiddlewareRegistry load(ClassLoader loader, List<Middleware> builtIns) {
    Map<String, Middleware> byName = new LinkedHashMap<>();
    for (Middleware m : builtIns) {
      register(byName, m);
    }
    for (Middleware m : ServiceLoader.load(Middleware.class, loader)) {
      register(byName, m);
    }
    return new MiddlewareRegistry(byName);
  }

  private static void register(Map<String, Middleware> byName, Middleware m) {
    Middleware earlier = byName.putIfAbsent(m.name(), m);
    if (earlier != null) {
      throw new IllegalStateException(
          "two middleware are named '"
              + m.name()
              + "': "
              + earlier.getClass().getName()
              + " and "
              + m.getClass().getName());
    }
  }

  /**
   * The built-ins plus the providers visible to {@code loader}: what the gateway uses.
   *
   * @param metrics what the built-in middleware record into
   */
  public static MiddlewareRegistry standard(ClassLoader loader, GatewayMetrics metrics) {
    return load(loader, builtIns(metrics));
  }

  /** The built-in middleware. */
  static List<Middleware> builtIns(GatewayMetrics metrics) {
    return List.of(
        new AuthMiddleware(),
        // claim:NAME rate-limit keys read the claims the auth filter verified earlier in the route
        new RateLimitMiddleware(
            System::nanoTime,
            Clock.systemUTC(),
            (request, name) -> Claims.from(request).flatMap(claims -> claims.string(name)),
            metrics::rateLimitBackendFailed),
        new MetricsMiddleware(metrics),
        new LoggingMiddleware(),
        new TracingMiddleware(),
        new RequestIdMiddleware(),
        new IpFilterMiddleware(),
        new HeadersMiddleware(),
        new CorsMiddleware(),
        new BasicAuthMiddleware());
  }

  public Optional<Middleware> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public Map<String, ConfigBlock<?, ?>> blocks() {
    return blocks;
  }

  @Override
  public Optional<String> problemWith(String name) {
    if (byName.containsKey(name)) {
      return Optional.empty();
    }
    TreeSet<String> known = new TreeSet<>(byName.keySet());
    String list = known.isEmpty() ? "none are installed" : "known: " + String.join(", ", known);
    return Optional.of("unknown middleware '" + name + "' (" + list + ")");
  }
}
