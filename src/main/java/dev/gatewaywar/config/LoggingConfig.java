package dev.gatewaywar.config;

/** {@code logging:} block. */
public record LoggingConfig(Format format, String level) {
  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.JSON, "info");

  /** Access-log line format. */
  public enum Format {
    JSON,
    TEXT
  }
}
