package dev.gatewaywar.config;

import java.util.List;

/**
 * {@code server:} block.
 *
 * @param port only the embedded runner uses it (an app server has its own port)
 * @param trustedProxies addresses and CIDR blocks of the proxies in front of the gateway whose
 *     {@code X-Forwarded-For} names the client; empty means the socket peer is always the client
 */
public record ServerConfig(int port, List<String> trustedProxies) {
  public static final int DEFAULT_PORT = 8080;
  public static final ServerConfig DEFAULT = new ServerConfig(DEFAULT_PORT);

  public ServerConfig {
    trustedProxies = List.copyOf(trustedProxies);
  }

  public ServerConfig(int port) {
    this(port, List.of());
  }
}
