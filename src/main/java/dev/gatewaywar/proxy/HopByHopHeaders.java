package dev.gatewaywar.proxy;

import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Headers that describe one connection rather than the message (RFC 9110 section 7.6.1): never
 * forwarded, in either direction, together with every header a {@code Connection} header names.
 */
public final class HopByHopHeaders {
  /**
   * Lower-case. An array scanned with {@code equalsIgnoreCase} (which compares lengths first) and
   * not a set looked up by a lower-cased copy: this runs for every header of every message, and
   * must not allocate.
   */
  private static final String[] ALWAYS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade"
  };

  /** For messages without a {@code Connection} header, or one naming no extra header. */
  private static final HopByHopHeaders STANDARD = new HopByHopHeaders(Set.of());

  private final Set<String> named;

  private HopByHopHeaders(Set<String> named) {
    this.named = named;
  }

  /**
   * The hop-by-hop set for one message, given its {@code Connection} header values.
   *
   * @param connectionValues the values of the message's {@code Connection} headers (may be empty)
   */
  public static HopByHopHeaders of(Collection<String> connectionValues) {
    return of(Collections.enumeration(connectionValues));
  }

  /** The hop-by-hop set of a request, given its {@code Connection} header values. */
  public static HopByHopHeaders of(Enumeration<String> connectionValues) {
    HopByHopHeaders h = STANDARD;
    while (connectionValues.hasMoreElements()) {
      h = h.with(connectionValues.nextElement());
    }
    return h;
  }

  /** The hop-by-hop set of a message whose headers are {@code headers}, in any case. */
  public static HopByHopHeaders ofHeaders(List<Map.Entry<String, String>> headers) {
    HopByHopHeaders h = STANDARD;
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().equalsIgnoreCase("Connection")) {
        h = h.with(header.getValue());
      }
    }
    return h;
  }

  /**
   * This set plus the tokens of one more {@code Connection} header value. Tokens already in the set
   * (the common {@code keep-alive}) add nothing and allocate no new set.
   */
  public HopByHopHeaders with(String connectionValue) {
    java.util.HashSet<String> more = null;
    for (String token : connectionValue.split(",")) {
      String t = token.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty() || contains(t)) {
        continue;
      }
      if (more == null) {
        more = new java.util.HashSet<>(named);
      }
      more.add(t);
    }
    return more == null ? this : new HopByHopHeaders(more);
  }

  public boolean contains(String headerName) {
    if (headerName.regionMatches(true, 0, "proxy-", 0, 6)) {
      return true;
    }
    for (String h : ALWAYS) {
      if (h.equalsIgnoreCase(headerName)) {
        return true;
      }
    }
    return !named.isEmpty() && named.contains(headerName.toLowerCase(Locale.ROOT));
  }
}
