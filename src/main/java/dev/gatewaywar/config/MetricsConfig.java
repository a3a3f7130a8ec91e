package dev.gatewaywar.config;

import java.util.List;

/**
 * {@code metrics:} block: the Prometheus endpoint ({@code prometheus.enabled}, {@code
 * prometheus.path}) and who may read it ({@code allow}).
 *
 * @param allow client address blocks that may read the endpoint; empty means everyone (it is on the
 *     same port as the traffic, so production setups usually restrict it)
 */
public record MetricsConfig(boolean enabled, String path, List<Cidr> allow) {
  public static final String DEFAULT_PATH = "/metrics";
  public static final MetricsConfig DEFAULT = new MetricsConfig(false, DEFAULT_PATH);

  public MetricsConfig {
    allow = List.copyOf(allow);
  }

  public MetricsConfig(boolean enabled, String path) {
    this(enabled, path, List.of());
  }
}
