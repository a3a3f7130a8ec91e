package dev.gatewaywar.routing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path made safe to route on: percent-decoded, with empty, {@code .} and {@code ..}
 * segments resolved (RFC 3986 section 5.2.4), so {@code /a/../b}, {@code //b} and {@code
 * /a/%2e%2e/b} cannot reach a route they do not match. The raw (still encoded) form of the same
 * segments is kept for the upstream, so percent-encoding reaches it byte for byte.
 *
 * <p>The path decides the route and is also what the upstream receives, so anything an upstream
 * could read as another path is refused (400) rather than forwarded: a path that climbs above the
 * root; an encoded slash or backslash ({@code %2F}, {@code %5C}), which upstreams disagree about; a
 * raw backslash; an encoded semicolon ({@code %3B}), which a decoding upstream may take for a path
 * parameter; an escape that decodes to another escape ({@code %2561}: a second decoding would give
 * another path); control characters and NUL; malformed percent-escapes or UTF-8, overlong forms
 * included. Path parameters ({@code ;x}) are refused or cut off as {@link PathParameters} says.
 */
public final class RequestPath {
  private final List<String> segments;
  private final String decoded;
  private final String raw;

  private RequestPath(List<String> segments, String decoded, String raw) {
    this.segments = segments;
    this.decoded = decoded;
    this.raw = raw;
  }

  /**
   * Parses the raw (undecoded) path of a request, such as {@code HttpServletRequest#getRequestURI},
   * refusing path parameters.
   */
  public static RequestPath parse(String rawPath) throws BadPathException {
    return parse(rawPath, PathParameters.REJECT);
  }

  /**
   * Parses the raw (undecoded) path of a request, such as {@code HttpServletRequest#getRequestURI},
   * treating path parameters as {@code parameters} says.
   */
  public static RequestPath parse(String rawPath, PathParameters parameters)
      throws BadPathException {
    if (parameters == PathParameters.REJECT && rawPath.indexOf(';') >= 0) {
      throw new BadPathException("path parameter in path");
    }
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new BadPathException("path must start with '/'");
    }
    List<String> decodedSegments = new ArrayList<>();
    List<String> rawSegments = new ArrayList<>();
    boolean trailingSlash = false;
    int start = 1;
    int length = rawPath.length();
    while (start <= length) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = length;
      }
      String rawSegment = withoutParameters(rawPath.substring(start, end));
      boolean last = end == length;
      trailingSlash = false;
      if (rawSegment.isEmpty()) {
        trailingSlash = last;
      } else {
        String segment = decode(rawSegment);
        if (segment.equals(".") || segment.equals("..")) {
          if (segment.equals("..")) {
            if (decodedSegments.isEmpty()) {
              throw new BadPathException("path climbs above the root");
            }
            decodedSegments.remove(decodedSegments.size() - 1);
            rawSegments.remove(rawSegments.size() - 1);
          }
          trailingSlash = last;
        } else {
          decodedSegments.add(segment);
          rawSegments.add(rawSegment);
        }
      }
      start = end + 1;
    }
    trailingSlash &= !decodedSegments.isEmpty();
    return new RequestPath(
        List.copyOf(decodedSegments),
        join(decodedSegments, trailingSlash),
        join(rawSegments, trailingSlash));
  }

  /** The segment without its path parameters (only {@code STRIP} lets a {@code ;} get here). */
  private static String withoutParameters(String rawSegment) {
    int semicolon = rawSegment.indexOf(';');
    return semicolon < 0 ? rawSegment : rawSegment.substring(0, semicolon);
  }

  private static String decode(String raw) throws BadPathException {
    if (raw.indexOf('\\') >= 0) {
      throw new BadPathException("backslash in path");
    }
    return checkDecoded(isPlainAscii(raw) ? raw : percentDecode(raw));
  }

  /**
   * Refuses what a decoded segment must not hold: control characters (NUL included); a {@code ;},
   * which got here only encoded ({@code %3B}) and which an upstream that decodes before cutting
   * path parameters would cut; and an escape, which got here only double-encoded ({@code %2561})
   * and which an upstream that decodes twice would read as another character.
   */
  private static String checkDecoded(String segment) throws BadPathException {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new BadPathException("control character in path");
      }
      if (c == ';') {
        throw new BadPathException("encoded semicolon in path");
      }
      if (c == '%'
          && i + 2 < segment.length()
          && hexDigit(segment.charAt(i + 1)) >= 0
          && hexDigit(segment.charAt(i + 2)) >= 0) {
        throw new BadPathException("double-encoded character in path");
      }
    }
    return segment;
  }

  private static String percentDecode(String raw) throws BadPathException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        if (c > 0xff) {
          bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        } else {
          // servlet containers hand over undecoded request-target bytes as ISO-8859-1 chars
          bytes.write(c);
        }
        continue;
      }
      if (i + 2 >= raw.length()) {
        throw new BadPathException("malformed percent-escape");
      }
      int hi = hexDigit(raw.charAt(i + 1));
      int lo = hexDigit(raw.charAt(i + 2));
      if (hi < 0 || lo < 0) {
        throw new BadPathException("malformed percent-escape");
      }
      int b = (hi << 4) | lo;
      if (b == '/' || b == '\\') {
        throw new BadPathException("encoded slash in path");
      }
      bytes.write(b);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException("path is not valid UTF-8");
    }
  }

  /** RFC 3986 section 2.1: ASCII hex only (Character.digit also takes fullwidth digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  /** True when {@code raw} has neither escapes nor raw non-ASCII bytes: it decodes to itself. */
  private static boolean isPlainAscii(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' || c > 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String join(List<String> segments, boolean trailingSlash) {
    if (segments.isEmpty()) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(s);
    }
    if (trailingSlash) {
      b.append('/');
    }
    return b.toString();
  }

  /** Decoded segments, after normalisation; empty for {@code /}. */
  public List<String> segments() {
    return segments;
  }

  /** The decoded, normalised path: what routes are matched against. */
  public String decoded() {
    return decoded;
  }

  /** The normalised path with the client's percent-encoding kept: what the upstream receives. */
  public String raw() {
    return raw;
  }

  public boolean trailingSlash() {
    return decoded.length() > 1 && decoded.endsWith("/");
  }

  @Override
  public String toString() {
    return raw;
  }
}
