package dev.gatewaywar.observability;

import dev.gatewaywar.config.ConfigSection;
import java.util.Locale;
import java.util.Set;

/** {@code logging:} block. */
public record LoggingConfig(Format format, String level) {
  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.JSON, "info");
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /** Access-log line format. */
  public enum Format {
    JSON,
    TEXT
  }

  /** Reads the block (an absent one gives {@link #DEFAULT}). */
  static LoggingConfig read(ConfigSection m) {
    String format = m.string("format", "json").trim().toLowerCase(Locale.ROOT);
    Format f = Format.JSON;
    if (format.equals("text")) {
      f = Format.TEXT;
    } else if (!format.equals("json")) {
      m.problem("format", "must be json or text, was '" + format + "'");
    }
    String level = m.string("level", "info").trim().toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      m.problem("level", "must be one of trace, debug, info, warn, error; was '" + level + "'");
    }
    return new LoggingConfig(f, level);
  }
}
