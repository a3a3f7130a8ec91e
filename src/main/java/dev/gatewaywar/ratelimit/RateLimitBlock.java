package dev.gatewaywar.ratelimit;

import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigSection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code rate_limit:} blocks. A route's own block has the same keys as the top-level one and
 * inherits the keys it does not set; it gives the route buckets of its own.
 */
public final class RateLimitBlock implements ConfigBlock<RateLimitConfig, RateLimitConfig> {
  public static final RateLimitBlock INSTANCE = new RateLimitBlock();

  private RateLimitBlock() {}

  @Override
  public String key() {
    return "rate_limit";
  }

  @Override
  public RateLimitConfig readGlobal(ConfigSection section) {
    return read(section, RateLimitConfig.DEFAULT);
  }

  @Override
  public RateLimitConfig readRoute(ConfigSection section, RateLimitConfig global) {
    return read(section, global);
  }

  /**
   * A limit keyed by a verified token's claim needs {@code auth} earlier in the route, one keyed by
   * the consumer needs {@code api_key}: without them every request would fall back to its address.
   */
  @Override
  public void checkRoute(
      List<String> middleware,
      RateLimitConfig global,
      Optional<RateLimitConfig> own,
      Consumer<String> refuse) {
    RateLimitConfig limits = own.orElse(global);
    List<String> before =
        middleware.subList(0, Math.max(0, middleware.indexOf(RateLimitMiddleware.NAME)));
    RateLimitConfig.Key.Kind kind = limits.key().kind();
    if (limits.enabled() && kind == RateLimitConfig.Key.Kind.CLAIM && !before.contains("auth")) {
      refuse.accept(
          "rate_limit.key '"
              + limits.key()
              + "' reads a verified token: list auth before ratelimit");
    }
    if (limits.enabled()
        && kind == RateLimitConfig.Key.Kind.CONSUMER
        && !before.contains("api_key")) {
      refuse.accept(
          "rate_limit.key 'consumer' reads the consumer api_key accepted:"
              + " list api_key before ratelimit");
    }
  }

  private static RateLimitConfig read(ConfigSection m, RateLimitConfig inherited) {
    boolean enabled = m.bool("enabled", inherited.enabled());
    double rps = m.number("requests_per_second", inherited.requestsPerSecond(), 0);
    if (rps > RateLimitConfig.MAX_REQUESTS_PER_SECOND) {
      m.problem(
          "requests_per_second",
          "must be at most " + (long) RateLimitConfig.MAX_REQUESTS_PER_SECOND);
      rps = inherited.requestsPerSecond();
    }
    int burst = m.integer("burst", inherited.burst(), 1, Integer.MAX_VALUE);
    RateLimitConfig.Key key = inherited.key();
    if (m.has("key")) {
      try {
        key = RateLimitConfig.Key.parse(m.string("key", "address"));
      } catch (IllegalArgumentException e) {
        m.problem("key", e.getMessage());
      }
    }
    RateLimitConfig.Backend backend =
        m.choice("backend", RateLimitConfig.Backend.class, inherited.backend());
    RateLimitConfig.RedisConfig redis = inherited.redis();
    if (m.has("redis")) {
      redis = readRedis(m.section("redis"), redis);
    }
    if (backend == RateLimitConfig.Backend.REDIS && redis == null) {
      if (!m.has("redis")) { // else readRedis has said what is wrong with it
        m.problem("backend", "needs redis.url");
      }
      backend = RateLimitConfig.Backend.LOCAL;
    }
    RateLimitConfig.OnBackendError onError =
        m.choice(
            "on_backend_error", RateLimitConfig.OnBackendError.class, inherited.onBackendError());
    int maxKeys = m.integer("max_keys", inherited.maxKeys(), 1, 100_000_000);
    Duration idle = m.duration("idle_timeout", inherited.idleTimeout());
    return new RateLimitConfig(enabled, rps, burst, key, backend, redis, onError, maxKeys, idle);
  }

  private static RateLimitConfig.RedisConfig readRedis(
      ConfigSection m, RateLimitConfig.RedisConfig inherited) {
    Duration timeout =
        m.duration(
            "timeout",
            inherited == null ? RateLimitConfig.RedisConfig.DEFAULT_TIMEOUT : inherited.timeout());
    URI url = inherited == null ? null : inherited.url();
    Optional<String> text =
        inherited == null ? m.requiredString("url") : Optional.of(m.string("url", ""));
    if (text.isPresent() && !text.get().isBlank()) {
      url = null;
      try {
        URI u = new URI(text.get().trim());
        if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
          m.problem("url", "must be a redis:// or rediss:// URL");
        } else if (u.getHost() == null) {
          m.problem("url", "has no host");
        } else {
          url = u;
        }
      } catch (URISyntaxException e) {
        // the message would repeat the URL, which may hold a password
        m.problem("url", "is not a URL");
      }
    }
    return url == null ? null : new RateLimitConfig.RedisConfig(url, timeout);
  }
}
