package dev.gatewaywar.config;

/** {@code otel:} block: where spans go (an OTLP gRPC collector, {@code host:port}). */
public record OtelConfig(boolean enabled, String endpoint) {
  public static final String DEFAULT_ENDPOINT = "localhost:4317";
  public static final OtelConfig DEFAULT = new OtelConfig(false, DEFAULT_ENDPOINT);
}
