package dev.gatewaywar.routing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a route changes the path it sends upstream: unchanged, {@code strip_prefix} or a {@code
 * rewrite} template. Compiled once against the route's pattern, so a request only concatenates.
 *
 * <p>Every piece taken from the request comes from its normalised <em>raw</em> path ({@link
 * RequestPath#raw()}), never decoded and re-encoded: the upstream gets the client's
 * percent-encoding byte for byte. The raw path has as many segments as the decoded one (an encoded
 * slash is refused before routing), so the n-th raw segment is the value of the pattern's n-th
 * segment.
 */
public final class PathRewrite {
  /** The path as the router matched it. */
  public static final PathRewrite NONE = new PathRewrite(new Piece[0], Optional.empty());

  private static final String REST = "rest";

  private final Piece[] pieces;
  private final Optional<String> forwardedPrefix;

  private PathRewrite(Piece[] pieces, Optional<String> forwardedPrefix) {
    this.pieces = pieces;
    this.forwardedPrefix = forwardedPrefix;
  }

  /**
   * {@code strip_prefix}: the leading segments {@code prefix} names are taken off ({@code /api/x}
   * goes as {@code /x}, {@code /api} as {@code /}).
   *
   * @throws IllegalArgumentException when {@code prefix} is not a literal leading part of {@code
   *     pattern}
   */
  public static PathRewrite stripPrefix(PathPattern pattern, String prefix) {
    PathPattern p;
    try {
      p = PathPattern.parse(prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + prefix + "' " + e.getMessage());
    }
    List<String> strip = p.segments();
    List<String> route = pattern.segments();
    if (p.kind() != PathPattern.Kind.EXACT
        || p.trailingSlash()
        || strip.isEmpty()
        || strip.size() > route.size()
        || !route.subList(0, strip.size()).equals(strip)) {
      throw new IllegalArgumentException(
          "'"
              + prefix
              + "' is not a prefix of the route's path "
              + pattern.text()
              + " (whole literal segments, without a trailing '/')");
    }
    return new PathRewrite(
        new Piece[] {new After(strip.size(), true)}, Optional.of(asciiPath(prefix)));
  }

  /**
   * {@code rewrite}: a path template of literal text and {@code :name} references to the pattern's
   * parameters and, for a prefix pattern, {@code :rest} (what follows the prefix, without its
   * leading slash).
   *
   * @throws IllegalArgumentException naming the reference or character that cannot be used
   */
  public static PathRewrite template(PathPattern pattern, String template) {
    if (template == null || !template.startsWith("/")) {
      throw new IllegalArgumentException("must start with '/'");
    }
    List<Piece> pieces = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != ':') {
        checkLiteral(template, i);
        literal.append(c);
        i++;
        continue;
      }
      int end = i + 1;
      while (end < template.length() && isNameChar(template.charAt(end), end == i + 1)) {
        end++;
      }
      String name = template.substring(i + 1, end);
      if (name.isEmpty()) {
        throw new IllegalArgumentException(
            "':' at position " + (i + 1) + " must start a parameter name");
      }
      if (!literal.isEmpty()) {
        pieces.add(new Literal(literal.toString()));
        literal.setLength(0);
      }
      pieces.add(reference(pattern, name));
      i = end;
    }
    if (!literal.isEmpty()) {
      pieces.add(new Literal(literal.toString()));
    }
    return new PathRewrite(pieces.toArray(Piece[]::new), Optional.empty());
  }

  private static Piece reference(PathPattern pattern, String name) {
    int index = pattern.segments().indexOf(":" + name);
    if (index >= 0) {
      return new Segment(index);
    }
    if (name.equals(REST) && pattern.kind() == PathPattern.Kind.PREFIX) {
      return new After(pattern.segments().size(), false);
    }
    throw new IllegalArgumentException(
        "':"
            + name
            + "' is not a parameter of the route's path "
            + pattern.text()
            + (name.equals(REST) ? " (':rest' needs a prefix path ending in /*)" : ""));
  }

  private static boolean isNameChar(char c, boolean first) {
    boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    return letter || (!first && c >= '0' && c <= '9');
  }

  /**
   * Literal text goes upstream as written, so it must already be a valid path (RFC 3986 section
   * 3.3): unreserved and sub-delimiter characters, {@code @}, {@code /} and percent-escapes.
   */
  private static void checkLiteral(String template, int i) {
    char c = template.charAt(i);
    boolean ok =
        (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || "-._~!$&'()*+,=@/".indexOf(c) >= 0
            || (c == '%'
                && i + 2 < template.length()
                && isHex(template.charAt(i + 1))
                && isHex(template.charAt(i + 2)));
    if (!ok) {
      throw new IllegalArgumentException(
          "character '"
              + c
              + "' at position "
              + (i + 1)
              + " cannot be sent in a path: percent-encode it");
    }
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  }

  /** The prefix as it may appear in a header: non-ASCII characters percent-encoded as UTF-8. */
  private static String asciiPath(String prefix) {
    try {
      return new URI(null, null, prefix, null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + prefix + "' is not a path: " + e.getReason());
    }
  }

  /** The path to send upstream for a request whose normalised path is {@code path}. */
  public String apply(RequestPath path) {
    if (pieces.length == 0) {
      return path.raw();
    }
    String raw = path.raw();
    if (pieces.length == 1) {
      return pieces[0].append(new StringBuilder(raw.length()), raw).toString();
    }
    StringBuilder b = new StringBuilder(raw.length() + 16);
    for (Piece p : pieces) {
      p.append(b, raw);
    }
    return b.toString();
  }

  /**
   * The {@code X-Forwarded-Prefix} the upstream gets ({@code strip_prefix} only): the prefix taken
   * off, so it can build links that come back through the gateway.
   */
  public Optional<String> forwardedPrefix() {
    return forwardedPrefix;
  }

  /** One part of the upstream path. */
  private sealed interface Piece permits Literal, Segment, After {
    StringBuilder append(StringBuilder b, String raw);
  }

  private record Literal(String text) implements Piece {
    @Override
    public StringBuilder append(StringBuilder b, String raw) {
      return b.append(text);
    }
  }

  /** The raw segment at {@code index} (a parameter's value). */
  private record Segment(int index) implements Piece {
    @Override
    public StringBuilder append(StringBuilder b, String raw) {
      int start = endOfSegments(raw, index);
      int end = raw.indexOf('/', start + 1);
      return b.append(raw, start + 1, end < 0 ? raw.length() : end);
    }
  }

  /**
   * What follows the first {@code count} segments: with its leading slash ({@code "/"} when nothing
   * does) for {@code strip_prefix}, without it ({@code ""} when nothing does) for {@code :rest}.
   */
  private record After(int count, boolean withSlash) implements Piece {
    @Override
    public StringBuilder append(StringBuilder b, String raw) {
      int end = endOfSegments(raw, count);
      if (end < 0 || end == raw.length()) {
        return withSlash ? b.append('/') : b;
      }
      return b.append(raw, withSlash ? end : end + 1, raw.length());
    }
  }

  /**
   * The index of the {@code /} that ends the first {@code count} segments of {@code raw} (the one
   * before segment {@code count}), or -1 when the path has no more; 0 for {@code count} 0.
   */
  private static int endOfSegments(String raw, int count) {
    int pos = 0;
    for (int k = 0; k < count && pos >= 0; k++) {
      pos = raw.indexOf('/', pos + 1);
    }
    return pos;
  }
}
