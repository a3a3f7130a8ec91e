package dev.gatewaywar.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route's path pattern, in one of three kinds (most specific first):
 *
 * <ul>
 *   <li>{@link Kind#EXACT} {@code /users}: that path only; {@code /users/} is a different path.
 *   <li>{@link Kind#PARAM} {@code /users/:id}: one non-empty segment per parameter.
 *   <li>{@link Kind#PREFIX} {@code /files/*}: {@code /files}, {@code /files/} and everything below,
 *       never {@code /filesystem}.
 * </ul>
 *
 * Patterns are written in decoded form and compared with the request's decoded, normalised path.
 */
public final class PathPattern {
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The three kinds, in the order they win when several match. */
  public enum Kind {
    EXACT,
    PARAM,
    PREFIX
  }

  private final String text;
  private final Kind kind;
  private final List<String> segments;
  private final boolean trailingSlash;

  private PathPattern(String text, Kind kind, List<String> segments, boolean trailingSlash) {
    this.text = text;
    this.kind = kind;
    this.segments = List.copyOf(segments);
    this.trailingSlash = trailingSlash;
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  public static PathPattern parse(String text) {
    if (text == null || !text.startsWith("/")) {
      throw new IllegalArgumentException("must start with '/'");
    }
    if (text.equals("/*")) {
      return new PathPattern(text, Kind.PREFIX, List.of(), false);
    }
    String[] parts = text.substring(1).split("/", -1);
    List<String> segments = new ArrayList<>();
    Set<String> params = new HashSet<>();
    Kind kind = Kind.EXACT;
    boolean trailingSlash = false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.isEmpty()) {
        if (last) {
          trailingSlash = !segments.isEmpty();
          continue;
        }
        throw new IllegalArgumentException("empty segment ('//')");
      }
      if (part.equals("*")) {
        if (!last) {
          throw new IllegalArgumentException("'*' may only end the pattern, as in /files/*");
        }
        if (kind == Kind.PARAM) {
          throw new IllegalArgumentException("a prefix pattern (/*) cannot also have :parameters");
        }
        kind = Kind.PREFIX;
        continue;
      }
      if (part.startsWith(":")) {
        String name = part.substring(1);
        if (!PARAM_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException(
              "'" + part + "' is not a parameter: write ':' then a name of letters, digits or '_'");
        }
        if (!params.add(name)) {
          throw new IllegalArgumentException("parameter ':" + name + "' appears twice");
        }
        kind = Kind.PARAM;
      } else {
        checkLiteral(part);
      }
      segments.add(part);
    }
    if (kind == Kind.PREFIX && trailingSlash) {
      throw new IllegalArgumentException("malformed prefix pattern");
    }
    return new PathPattern(text, kind, segments, trailingSlash);
  }

  private static void checkLiteral(String part) {
    if (part.equals(".") || part.equals("..")) {
      throw new IllegalArgumentException("'.' and '..' segments are not allowed");
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '*' || c == '?' || c == '#' || c == '%' || c == '\\' || c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException(
            "character '"
                + c
                + "' is not allowed in a path segment ('*' only as a final /*, and write"
                + " characters decoded, not %-escaped)");
      }
    }
  }

  /** The pattern as written in the config; this is what metrics and logs show. */
  /** Patterns are equal when written alike. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PathPattern other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  public String text() {
    return text;
  }

  public Kind kind() {
    return kind;
  }

  /** Segments (literals, or {@code :name} for parameters), without the final {@code *}. */
  public List<String> segments() {
    return segments;
  }

  public boolean trailingSlash() {
    return trailingSlash;
  }

  /**
   * The pattern with parameter names erased: two patterns with the same shape match exactly the
   * same paths, so routes sharing a shape and a method are duplicates.
   */
  public String shape() {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(s.startsWith(":") ? ":" : s);
    }
    if (kind == Kind.PREFIX) {
      b.append("/*");
    } else if (trailingSlash || segments.isEmpty()) {
      b.append('/');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
