package dev.gatewaywar.ratelimit;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.api.SharedResources;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.ratelimit.internal.RedisConnection;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The built-in {@code ratelimit} middleware. Routes without a {@code rate_limit:} block of their
 * own share the global limiter of their configuration, so a client has one bucket however many
 * routes use it (one middleware on 100 routes must not mean a 100 times looser limit); a route with
 * its own block gets its own limiter.
 *
 * <p>Limiters outlive a reload that keeps them: a limiter is named by its scope (global, or the
 * route's methods and path) and its settings, and a new configuration with the same name takes over
 * the old one's buckets, so reloading a file (a route added elsewhere, a timeout changed) does not
 * hand every client a full bucket. Changed settings start afresh. Limiters with equal Redis
 * settings share one connection. Each limiter and connection is closed by the last filter using it.
 */
public final class RateLimitMiddleware implements Middleware {
  public static final String NAME = "ratelimit";

  private final LongSupplier nanoTime;
  private final Clock clock;
  private final VerifiedClaims claims;
  private final Consumer<String> backendFailed;
  private final SharedResources<LimiterScope, KeyedRateLimiter> limiters =
      new SharedResources<>(KeyedRateLimiter::close);
  private final SharedResources<RateLimitConfig.RedisConfig, RedisConnection> connections =
      new SharedResources<>(RedisConnection::close);

  /**
   * @param nanoTime the monotonic clock local buckets refill by
   * @param clock the wall clock Redis buckets refill by (comparable across machines)
   * @param claims where {@code claim:NAME} keys are read from
   * @param backendFailed told of each failed call to a shared backend, by its name ({@code redis}):
   *     the gateway counts them in {@code gateway_ratelimit_backend_errors_total}
   */
  public RateLimitMiddleware(
      LongSupplier nanoTime, Clock clock, VerifiedClaims claims, Consumer<String> backendFailed) {
    this.nanoTime = nanoTime;
    this.clock = clock;
    this.claims = claims;
    this.backendFailed = backendFailed;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(RateLimitBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    RouteConfig route = context.route();
    Optional<RateLimitConfig> own = context.own(RateLimitBlock.INSTANCE);
    RateLimitConfig limits = own.orElse(context.global(RateLimitBlock.INSTANCE));
    if (!limits.enabled()) {
      return new PassThrough(); // the Go original: rate_limit.enabled: false limits nothing
    }
    ClientKeyResolver keys = ClientKeyResolver.of(limits.key(), claims);
    LimiterScope scope =
        new LimiterScope(own.isPresent() ? "route:" + routeName(route) : "global", limits);
    if (limits.backend() == RateLimitConfig.Backend.LOCAL) {
      SharedResources.Lease<KeyedRateLimiter> limiter =
          limiters.acquire(scope, s -> KeyedRateLimiter.local(limits, nanoTime));
      return new RateLimitFilter(
          keys, limiter.resource(), limits.onBackendError(), limiter::release);
    }
    SharedResources.Lease<RedisConnection> redis =
        connections.acquire(
            limits.redis(), r -> new RedisConnection(r, nanoTime, backendErrorCounter(limits)));
    SharedResources.Lease<KeyedRateLimiter> limiter =
        limiters.acquire(scope, s -> redisLimiter(s, redis.resource()));
    return new RateLimitFilter(
        keys,
        limiter.resource(),
        limits.onBackendError(),
        () -> {
          limiter.release();
          redis.release();
        });
  }

  private KeyedRateLimiter redisLimiter(LimiterScope scope, RedisConnection redis) {
    RateLimitConfig limits = scope.limits();
    // the bucket's shape is part of the name: instances running another shape (during a
    // rolling config change) keep separate buckets instead of reading each other's state
    String namespace =
        scope.scope()
            + ":"
            + limits.burst()
            + "/"
            + limits.requestsPerSecond()
            + ":"
            + limits.key();
    return KeyedRateLimiter.redis(limits, namespace, redis, clock);
  }

  /** Tells {@code backendFailed} of each failed call to {@code limits}' backend. */
  private Runnable backendErrorCounter(RateLimitConfig limits) {
    String backend = limits.backend().name().toLowerCase(Locale.ROOT);
    return () -> backendFailed.accept(backend);
  }

  /** A stable name for a route's own buckets, the same on every instance with the same config. */
  private static String routeName(RouteConfig route) {
    return String.join(",", new TreeSet<>(route.methods())) + " " + route.path();
  }

  /**
   * What names a limiter: its scope ("global", or "route:" and the route) and its settings, the
   * Redis connection's among them.
   */
  private record LimiterScope(String scope, RateLimitConfig limits) {}

  private static final class PassThrough implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(request, response);
    }
  }
}
