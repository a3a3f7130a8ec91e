package dev.gatewaywar.config.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses sizes written with a binary unit ({@code 512B}, {@code 8KiB}, {@code 1MiB}). A bare number
 * is rejected, as for durations, and so are {@code KB} and {@code MB}, which mean 1000 or 1024
 * depending on who wrote them.
 */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})(B|KiB|MiB)");

  private Sizes() {}

  static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (write it like 512B, 8KiB or 1MiB)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "B" -> n;
      case "KiB" -> n * 1024;
      default -> n * 1024 * 1024;
    };
  }
}
