package dev.gatewaywar.config;

import java.time.Duration;

/**
 * {@code upstream:} block: the pool of keep-alive connections to upstream services, each client's
 * share of it, and the limits an upstream's response head must keep.
 *
 * <p>HTTP client libraries default to a handful of connections per host (5 in HttpClient 5), which
 * makes a gateway queue requests behind each other; these defaults are sized for a gateway.
 *
 * <p>Response heads are held in memory until complete, so their limits bound what one upstream
 * connection can make the gateway hold: at most {@code maxResponseHeaders} lines of {@code
 * maxResponseHeaderLine} characters each, before the total is checked against {@code
 * maxResponseHeadSize}. The defaults follow the usual servers' (Tomcat's and Envoy's 100 headers,
 * Tomcat's and nginx's 8 KiB line, and the 8 KiB of head a default Tomcat connector sends).
 *
 * @param maxConnections connections open at once, across all upstreams
 * @param maxConnectionsPerRoute connections open at once to one upstream host:port
 * @param idleTimeout how long an unused pooled connection is kept before it is closed
 * @param maxConnectionsPerClient requests one client address may have in flight to one upstream
 *     host:port (each holds, or waits for, one of its pooled connections); more get 503 at once
 * @param maxResponseHeaders header lines in one upstream response head
 * @param maxResponseHeaderLine characters in one header line (status line and folded lines
 *     included)
 * @param maxResponseHeadSize characters in one response head, status line and headers together
 * @param retryBuffer bytes of request bodies kept for retries at once, by every route of the webapp
 *     together ({@code retry_buffer}): a body that does not fit is sent without a copy, and not
 *     retried
 */
public record UpstreamConfig(
    int maxConnections,
    int maxConnectionsPerRoute,
    Duration idleTimeout,
    int maxConnectionsPerClient,
    int maxResponseHeaders,
    int maxResponseHeaderLine,
    int maxResponseHeadSize,
    int retryBuffer) {
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

  public static final int DEFAULT_MAX_RESPONSE_HEADERS = 100;
  public static final int DEFAULT_MAX_RESPONSE_HEADER_LINE = 8 * 1024;

  /**
   * What Tomcat sends of a response head unless its connector says otherwise ({@code
   * maxHttpResponseHeaderSize}), and nginx's default upstream header buffer: a larger head could
   * not be relayed on a default Tomcat, and gets a clean 502 instead of a cut connection.
   */
  public static final int DEFAULT_MAX_RESPONSE_HEAD_SIZE = 8 * 1024;

  /**
   * 32 MiB: 512 bodies of the default {@code retry.max_body} (64 KiB) kept at once, a quarter of
   * the smallest heap the gateway is tested with (128 MiB).
   */
  public static final int DEFAULT_RETRY_BUFFER = 32 * 1024 * 1024;

  /** The largest value a response-head limit may be set to: 1 MiB. */
  public static final int MAX_RESPONSE_HEAD_LIMIT = 1024 * 1024;

  public static final UpstreamConfig DEFAULT =
      new UpstreamConfig(
          DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ROUTE, DEFAULT_IDLE_TIMEOUT);

  public UpstreamConfig {
    if (maxResponseHeaders < 1 || maxResponseHeaderLine < 1 || maxResponseHeadSize < 1) {
      throw new IllegalArgumentException("response head limits must be positive");
    }
    if (retryBuffer < 0) {
      throw new IllegalArgumentException("retry_buffer must not be negative");
    }
  }

  /** The pool's settings with the default client share and response-head limits. */
  public UpstreamConfig(int maxConnections, int maxConnectionsPerRoute, Duration idleTimeout) {
    this(
        maxConnections,
        maxConnectionsPerRoute,
        idleTimeout,
        defaultMaxConnectionsPerClient(maxConnectionsPerRoute));
  }

  /** The pool's settings and client share with the default response-head limits and buffer. */
  public UpstreamConfig(
      int maxConnections,
      int maxConnectionsPerRoute,
      Duration idleTimeout,
      int maxConnectionsPerClient) {
    this(
        maxConnections,
        maxConnectionsPerRoute,
        idleTimeout,
        maxConnectionsPerClient,
        DEFAULT_MAX_RESPONSE_HEADERS,
        DEFAULT_MAX_RESPONSE_HEADER_LINE,
        DEFAULT_MAX_RESPONSE_HEAD_SIZE,
        DEFAULT_RETRY_BUFFER);
  }

  /** The default per-client share of a pool of {@code maxConnectionsPerRoute}: at least one. */
  public static int defaultMaxConnectionsPerClient(int maxConnectionsPerRoute) {
    return Math.max(1, maxConnectionsPerRoute / DEFAULT_CLIENT_SHARE_DIVISOR);
  }
}
