package dev.gatewaywar.ratelimit;

import dev.gatewaywar.Middleware;
import dev.gatewaywar.MiddlewareContext;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RateLimitConfig;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.ratelimit.internal.RedisConnection;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The built-in {@code ratelimit} middleware. Routes without a {@code rate_limit:} block of their
 * own share the global limiter of their configuration, so a client has one bucket however many
 * routes use it (one middleware on 100 routes must not mean a 100 times looser limit); a route with
 * its own block gets its own limiter.
 *
 * <p>Local limiters outlive a reload that keeps them: a limiter is named by its scope (global, or
 * the route's methods and path) and its settings, and a new configuration with the same name takes
 * over the old one's buckets, so reloading a file (a route added elsewhere, a timeout changed) does
 * not hand every client a full bucket. Changed settings start afresh. Each limiter, and the Redis
 * connection a configuration's Redis limiters share, is closed by the last filter using it.
 */
public final class RateLimitMiddleware implements Middleware {
  public static final String NAME = "ratelimit";

  private final LongSupplier nanoTime;
  private final Clock clock;
  private final VerifiedClaims claims;
  private final Map<GatewayConfig, Shared> byConfig = new IdentityHashMap<>();

  /** Local limiters by scope and settings, across configurations; guarded by {@link #byConfig}. */
  private final Map<LocalScope, HeldLimiter> local = new HashMap<>();

  /**
   * @param nanoTime the monotonic clock local buckets refill by
   * @param clock the wall clock Redis buckets refill by (comparable across machines)
   * @param claims where {@code claim:NAME} keys are read from
   */
  public RateLimitMiddleware(LongSupplier nanoTime, Clock clock, VerifiedClaims claims) {
    this.nanoTime = nanoTime;
    this.clock = clock;
    this.claims = claims;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Filter create(MiddlewareContext context) {
    GatewayConfig config = context.config();
    RouteConfig route = context.route();
    RateLimitConfig limits = route.rateLimit().orElse(config.rateLimit());
    if (!limits.enabled()) {
      return new PassThrough(); // the Go original: rate_limit.enabled: false limits nothing
    }
    ClientKeyResolver keys = ClientKeyResolver.of(limits.key(), claims);
    if (limits.lacksAuthBeforeRatelimit(route.middleware())) {
      throw new IllegalArgumentException(
          "rate_limit.key '" + limits.key() + "' needs auth before ratelimit in the route");
    }
    synchronized (byConfig) {
      if (limits.backend() == RateLimitConfig.Backend.LOCAL) {
        LocalScope scope =
            new LocalScope(
                route.rateLimit().isPresent() ? "route:" + routeName(route) : "global", limits);
        HeldLimiter held =
            local.computeIfAbsent(
                scope, s -> new HeldLimiter(KeyedRateLimiter.local(limits, nanoTime)));
        held.users++;
        return new RateLimitFilter(
            keys, held.limiter, limits.onBackendError(), () -> releaseLocal(scope));
      }
      Shared shared =
          byConfig.computeIfAbsent(config, c -> new Shared(backendErrorCounter(context, limits)));
      KeyedRateLimiter limiter;
      Runnable release;
      if (route.rateLimit().isPresent()) {
        limiter = redisLimiter(limits, "route:" + routeName(route), shared);
        release = () -> release(config, limiter);
      } else {
        if (shared.global == null) {
          shared.global = redisLimiter(limits, "global", shared);
        }
        limiter = shared.global;
        release = () -> release(config, null);
      }
      shared.users++;
      return new RateLimitFilter(keys, limiter, limits.onBackendError(), release);
    }
  }

  /**
   * A Redis limiter of one configuration; local ones are shared across configurations ({@link
   * #local}).
   */
  private KeyedRateLimiter redisLimiter(RateLimitConfig limits, String scope, Shared shared) {
    RedisConnection redis =
        shared.redis.computeIfAbsent(
            limits.redis(), r -> new RedisConnection(r, nanoTime, shared.onBackendError));
    // the bucket's shape is part of the name: instances running another shape (during a
    // rolling config change) keep separate buckets instead of reading each other's state
    String namespace =
        scope + ":" + limits.burst() + "/" + limits.requestsPerSecond() + ":" + limits.key();
    return KeyedRateLimiter.redis(limits, namespace, redis, clock);
  }

  /**
   * Counts Redis failures in gateway_ratelimit_backend_errors_total when the gateway's metrics are
   * installed (always in a deployed gateway; not in unit tests of this class).
   */
  private static Runnable backendErrorCounter(MiddlewareContext context, RateLimitConfig limits) {
    String backend = limits.backend().name().toLowerCase(java.util.Locale.ROOT);
    return GatewayMetrics.find(context.servletContext())
        .<Runnable>map(m -> () -> m.rateLimitBackendFailed(backend))
        .orElse(() -> {});
  }

  private void releaseLocal(LocalScope scope) {
    synchronized (byConfig) {
      HeldLimiter held = local.get(scope);
      if (held != null && --held.users == 0) {
        local.remove(scope);
        held.limiter.close();
      }
    }
  }

  private void release(GatewayConfig config, KeyedRateLimiter own) {
    synchronized (byConfig) {
      if (own != null) {
        own.close();
      }
      Shared shared = byConfig.get(config);
      if (shared != null && --shared.users == 0) {
        byConfig.remove(config);
        if (shared.global != null) {
          shared.global.close();
        }
        shared.redis.values().forEach(RedisConnection::close);
      }
    }
  }

  /** A stable name for a route's own buckets, the same on every instance with the same config. */
  private static String routeName(RouteConfig route) {
    return String.join(",", new TreeSet<>(route.methods())) + " " + route.path();
  }

  /** What names a local limiter: its scope ("global", or "route:" and the route) and settings. */
  private record LocalScope(String scope, RateLimitConfig limits) {}

  /** A local limiter and how many filters, of any configuration, use it. */
  private static final class HeldLimiter {
    final KeyedRateLimiter limiter;
    int users;

    HeldLimiter(KeyedRateLimiter limiter) {
      this.limiter = limiter;
    }
  }

  /** What one configuration's Redis-backed ratelimit filters share. */
  private static final class Shared {
    final Runnable onBackendError;
    KeyedRateLimiter global;
    final Map<RateLimitConfig.RedisConfig, RedisConnection> redis = new HashMap<>();
    int users;

    Shared(Runnable onBackendError) {
      this.onBackendError = onBackendError;
    }
  }

  private static final class PassThrough implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(request, response);
    }
  }
}
