package dev.gatewaywar.config;

import dev.gatewaywar.routing.PathParameters;
import java.time.Duration;
import java.util.List;

/**
 * {@code server:} block.
 *
 * @param port only the embedded runner uses it (an app server has its own port)
 * @param trustedProxies addresses and CIDR blocks of the proxies in front of the gateway whose
 *     {@code X-Forwarded-For} names the client; empty means the socket peer is always the client
 * @param drainTimeout how long requests in flight may run on when the gateway stops, or when a
 *     reload retires the configuration they started with; then the resources are closed anyway
 * @param reload whether and how the configuration file is watched
 * @param pathParameters whether a path with {@code ;} parameters is refused or has them cut off
 * @param underscoresInHeaders forward client request headers whose names hold an underscore ({@code
 *     X_User_Id}); off by default, as in nginx: CGI and WSGI upstreams read {@code X_User_Id} and
 *     {@code X-User-Id} as one variable, so such a header can shadow one the gateway sets
 */
public record ServerConfig(
    int port,
    List<Cidr> trustedProxies,
    Duration drainTimeout,
    ReloadConfig reload,
    PathParameters pathParameters,
    boolean underscoresInHeaders) {
  public static final int DEFAULT_PORT = 8080;

  /** As long as Spring Boot's shutdown phase, and within Kubernetes' default 30 s grace. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public static final boolean DEFAULT_UNDERSCORES_IN_HEADERS = false;

  public static final ServerConfig DEFAULT = new ServerConfig(DEFAULT_PORT);

  public ServerConfig {
    trustedProxies = List.copyOf(trustedProxies);
  }

  public ServerConfig(int port, List<Cidr> trustedProxies) {
    this(
        port,
        trustedProxies,
        DEFAULT_DRAIN_TIMEOUT,
        ReloadConfig.DEFAULT,
        PathParameters.DEFAULT,
        DEFAULT_UNDERSCORES_IN_HEADERS);
  }

  public ServerConfig(int port) {
    this(port, List.of());
  }
}
