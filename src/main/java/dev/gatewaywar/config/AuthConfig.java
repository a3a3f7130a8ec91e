package dev.gatewaywar.config;

/** {@code auth:} block, as in the Go original. The secret never appears in {@link #toString()}. */
public record AuthConfig(boolean enabled, String type, String secret) {
  public static final String DEFAULT_TYPE = "jwt";
  public static final AuthConfig DEFAULT = new AuthConfig(false, DEFAULT_TYPE, "");

  @Override
  public String toString() {
    return "AuthConfig[enabled=" + enabled + ", type=" + type + ", secret=***]";
  }
}
