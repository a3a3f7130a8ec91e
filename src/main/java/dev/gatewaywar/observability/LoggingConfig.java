package dev.gatewaywar.observability;

import dev.gatewaywar.config.ConfigSection;
import java.util.Locale;
import java.util.Set;

/**
 * {@code logging:} block.
 *
 * @param sink where access lines go
 */
public record LoggingConfig(Format format, String level, Sink sink) {
  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.JSON, "info");

  /** Lines on standard output. */
  public LoggingConfig(Format format, String level) {
    this(format, level, Sink.STDOUT);
  }

  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /** Access-log line format. */
  public enum Format {
    JSON,
    TEXT
  }

  /** Where access lines go. */
  public enum Sink {
    /** Standard output, one line per request (a container's or a log shipper's stdout capture). */
    STDOUT,
    /**
     * One java.util.logging message per request on logger {@code dev.gatewaywar.access}, so the
     * server's own logging (Tomcat's JULI handlers, WildFly's logging subsystem) routes, formats
     * and rotates it.
     */
    JUL
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
    return new LoggingConfig(f, level, m.choice("sink", Sink.class, Sink.STDOUT));
  }
}
