package dev.gatewaywar.config;

/** {@code metrics.prometheus:} block. */
public record MetricsConfig(boolean enabled, String path) {
  public static final String DEFAULT_PATH = "/metrics";
  public static final MetricsConfig DEFAULT = new MetricsConfig(false, DEFAULT_PATH);
}
