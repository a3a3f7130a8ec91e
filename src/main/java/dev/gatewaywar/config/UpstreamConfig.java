package dev.gatewaywar.config;

import java.time.Duration;

/**
 * {@code upstream:} block: the pool of keep-alive connections to upstream services.
 *
 * <p>HTTP client libraries default to a handful of connections per host (5 in HttpClient 5), which
 * makes a gateway queue requests behind each other; these defaults are sized for a gateway.
 *
 * @param maxConnections connections open at once, across all upstreams
 * @param maxConnectionsPerRoute connections open at once to one upstream host:port
 * @param idleTimeout how long an unused pooled connection is kept before it is closed
 * @param maxConnectionsPerClient requests one client address may have in flight to one upstream
 *     host:port (each holds, or waits for, one of its pooled connections); more get 503 at once
 */
public record UpstreamConfig(
    int maxConnections,
    int maxConnectionsPerRoute,
    Duration idleTimeout,
    int maxConnectionsPerClient) {
  public static final int DEFAULT_MAX_CONNECTIONS = 2048;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ROUTE = 512;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Unset {@code max_connections_per_client} is this fraction of {@code max_connections_per_route}
   * (a quarter: 128 of the default 512). It takes four addresses to fill an upstream's pool, so one
   * client (one attacker without a botnet) leaves three quarters to everyone else, while a busy
   * legitimate client (a NAT, a backend-for-frontend) still has 128 requests in flight to one
   * upstream, thousands a second at the usual latencies.
   */
  public static final int DEFAULT_CLIENT_SHARE_DIVISOR = 4;

  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT =
      defaultMaxConnectionsPerClient(DEFAULT_MAX_CONNECTIONS_PER_ROUTE);

  public static final UpstreamConfig DEFAULT =
      new UpstreamConfig(
          DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ROUTE, DEFAULT_IDLE_TIMEOUT);

  /** A pool whose per-client share is the default one for {@code maxConnectionsPerRoute}. */
  public UpstreamConfig(int maxConnections, int maxConnectionsPerRoute, Duration idleTimeout) {
    this(
        maxConnections,
        maxConnectionsPerRoute,
        idleTimeout,
        defaultMaxConnectionsPerClient(maxConnectionsPerRoute));
  }

  /** The default per-client share of a pool of {@code maxConnectionsPerRoute}: at least one. */
  public static int defaultMaxConnectionsPerClient(int maxConnectionsPerRoute) {
    return Math.max(1, maxConnectionsPerRoute / DEFAULT_CLIENT_SHARE_DIVISOR);
  }
}
