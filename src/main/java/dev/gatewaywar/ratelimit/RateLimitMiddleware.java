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
 * its own block gets its own limiter. Limiters, and the Redis connection they may share, live as
 * long as the configuration's filters: the last filter destroyed closes them.
 */
public final class RateLimitMiddleware implements Middleware {
  public static final String NAME = "ratelimit";

  private final LongSupplier nanoTime;
  private final Clock clock;
  private final VerifiedClaims claims;
  private final Map<GatewayConfig, Shared> byConfig = new IdentityHashMap<>();

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
    if (limits.key().kind() == RateLimitConfig.Key.Kind.CLAIM) {
      int auth = route.middleware().indexOf("auth");
      if (auth < 0 || auth > route.middleware().indexOf(NAME)) {
        // without a verified token first, every request would fall back to its address
        throw new IllegalArgumentException(
            "rate_limit.key '" + limits.key() + "' needs auth before ratelimit in the route");
      }
    }
    // Redis failures are counted in gateway_ratelimit_backend_errors_total when the gateway's
    // metrics are installed (always in a deployed gateway; not in unit tests of this class)
    Runnable onBackendError =
        GatewayMetrics.find(context.servletContext())
            .<Runnable>map(
                m ->
                    () ->
                        m.rateLimitBackendFailed(
                            limits.backend().name().toLowerCase(java.util.Locale.ROOT)))
            .orElse(() -> {});
    synchronized (byConfig) {
      Shared shared = byConfig.computeIfAbsent(config, c -> new Shared(onBackendError));
      KeyedRateLimiter limiter;
      Runnable release;
      if (route.rateLimit().isPresent()) {
        limiter = build(limits, "route:" + routeName(route), shared);
        release = () -> release(config, limiter);
      } else {
        if (shared.global == null) {
          shared.global = build(limits, "global", shared);
        }
        limiter = shared.global;
        release = () -> release(config, null);
      }
      shared.users++;
      return new RateLimitFilter(keys, limiter, limits.onBackendError(), release);
    }
  }

  private KeyedRateLimiter build(RateLimitConfig limits, String scope, Shared shared) {
    return switch (limits.backend()) {
      case LOCAL -> KeyedRateLimiter.local(limits, nanoTime);
      case REDIS -> {
        RedisConnection redis =
            shared.redis.computeIfAbsent(
                limits.redis(), r -> new RedisConnection(r, nanoTime, shared.onBackendError));
        // the bucket's shape is part of the name: instances running another shape (during a
        // rolling config change) keep separate buckets instead of reading each other's state
        String namespace =
            scope + ":" + limits.burst() + "/" + limits.requestsPerSecond() + ":" + limits.key();
        yield KeyedRateLimiter.redis(limits, namespace, redis, clock);
      }
    };
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

  /** What one configuration's ratelimit filters share. */
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
