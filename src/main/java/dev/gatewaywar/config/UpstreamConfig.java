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
 */
public record UpstreamConfig(int maxConnections, int maxConnectionsPerRoute, Duration idleTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 2048;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ROUTE = 512;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final UpstreamConfig DEFAULT =
      new UpstreamConfig(
          DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ROUTE, DEFAULT_IDLE_TIMEOUT);
}
