package dev.gatewaywar.config;

/** {@code server:} block; only the embedded runner uses it (an app server has its own port). */
public record ServerConfig(int port) {
  public static final int DEFAULT_PORT = 8080;
  public static final ServerConfig DEFAULT = new ServerConfig(DEFAULT_PORT);
}
