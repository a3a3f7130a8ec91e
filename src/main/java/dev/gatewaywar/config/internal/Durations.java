package dev.gatewaywar.config.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as in the Go original's config ({@code 5s}, {@code 1m30s}, {@code
 * 250ms}), which is Go's {@code time.ParseDuration} syntax without signs. A bare number is
 * rejected: {@code read: 30} could mean seconds or milliseconds, and guessing wrong is worse than
 * asking.
 */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(s);
    long nanos = 0;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (write it like 500ms, 5s, 1m30s or 2h)");
      }
      double part = Double.parseDouble(m.group(1)) * nanosPerUnit(m.group(2));
      // beyond a long of nanoseconds (292 years) the sum would wrap to a negative duration
      if (part >= Long.MAX_VALUE - nanos) {
        throw new IllegalArgumentException("'" + text + "' is too long a duration");
      }
      nanos += (long) part;
      at = m.end();
    }
    return Duration.ofNanos(nanos);
  }

  private static double nanosPerUnit(String unit) {
    return switch (unit) {
      case "ns" -> 1;
      case "us", "µs" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
  }
}
