package dev.gatewaywar.config;

/**
 * {@code rate_limit:} block: a token bucket of {@code burst} refilled at {@code requestsPerSecond}.
 */
public record RateLimitConfig(boolean enabled, double requestsPerSecond, int burst) {
  public static final RateLimitConfig DEFAULT = new RateLimitConfig(false, 10, 20);
}
