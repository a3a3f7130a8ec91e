package dev.gatewaywar.bodylimit;

/**
 * {@code body_limit:} block, top-level or a route's own.
 *
 * @param max the most bytes of request body a client may send
 */
public record BodyLimitConfig(int max) {
  public static final int DEFAULT_MAX = 1024 * 1024;

  public static final BodyLimitConfig DEFAULT = new BodyLimitConfig(DEFAULT_MAX);

  public BodyLimitConfig {
    if (max < 0) {
      throw new IllegalArgumentException("max cannot be negative");
    }
  }
}
