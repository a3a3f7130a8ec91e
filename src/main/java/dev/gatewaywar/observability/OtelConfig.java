package dev.gatewaywar.observability;

import dev.gatewaywar.config.ConfigSection;

/** {@code otel:} block: where spans go (an OTLP gRPC collector, {@code host:port}). */
public record OtelConfig(boolean enabled, String endpoint) {
  public static final String DEFAULT_ENDPOINT = "localhost:4317";
  public static final OtelConfig DEFAULT = new OtelConfig(false, DEFAULT_ENDPOINT);

  /** Reads the block (an absent one gives {@link #DEFAULT}). */
  static OtelConfig read(ConfigSection m) {
    return new OtelConfig(m.bool("enabled", false), m.string("endpoint", DEFAULT_ENDPOINT));
  }
}
