package dev.gatewaywar.proxy;

import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection rather than the message (RFC 9110 section 7.6.1): never
 * forwarded, in either direction, together with every header a {@code Connection} header names.
 */
public final class HopByHopHeaders {
  private static final Set<String> ALWAYS =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  private final Set<String> named;

  private HopByHopHeaders(Set<String> named) {
    this.named = named;
  }

  /**
   * The hop-by-hop set for one message, given its {@code Connection} header values.
   *
   * @param connectionValues the values of the message's {@code Connection} headers (may be empty)
   */
  public static HopByHopHeaders of(Iterable<String> connectionValues) {
    java.util.HashSet<String> named = null;
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          if (named == null) {
            named = new java.util.HashSet<>();
          }
          named.add(t);
        }
      }
    }
    return new HopByHopHeaders(named == null ? Set.of() : named);
  }

  public boolean contains(String headerName) {
    String name = headerName.toLowerCase(Locale.ROOT);
    return ALWAYS.contains(name) || name.startsWith("proxy-") || named.contains(name);
  }
}
