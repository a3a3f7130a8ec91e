package dev.gatewaywar.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The client's request as the rest of the chain and the proxy see it: without the client's own
 * copies of the claim headers (so they cannot be forged) and optionally without {@code
 * Authorization}, plus the headers carrying the verified claims. The proxy sends the claim headers
 * from {@link dev.gatewaywar.api.GatewayHeaders}, not from here, so that no client header can
 * remove them.
 */
final class ClaimHeadersRequest extends HttpServletRequestWrapper {
  /** Lower-case names hidden from the wrapped request. */
  private final Set<String> hidden;

  /** Added headers by lower-case name: {original name, value}. */
  private final Map<String, String[]> added;

  ClaimHeadersRequest(HttpServletRequest request, Set<String> hidden, Map<String, String[]> added) {
    super(request);
    this.hidden = hidden;
    this.added = added;
  }

  @Override
  public String getHeader(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    String[] a = added.get(key);
    if (a != null) {
      return a[1];
    }
    return hidden.contains(key) ? null : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    String[] a = added.get(key);
    if (a != null) {
      return Collections.enumeration(List.of(a[1]));
    }
    return hidden.contains(key) ? Collections.emptyEnumeration() : super.getHeaders(name);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
      String n = e.nextElement();
      if (!hidden.contains(n.toLowerCase(Locale.ROOT))) {
        names.add(n);
      }
    }
    for (String[] a : added.values()) {
      names.add(a[0]);
    }
    return Collections.enumeration(names);
  }

  @Override
  public int getIntHeader(String name) {
    String v = getHeader(name);
    return v == null ? -1 : Integer.parseInt(v);
  }

  @Override
  public long getDateHeader(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    if (added.containsKey(key) || hidden.contains(key)) {
      throw new IllegalArgumentException(name + " is not a date header");
    }
    return super.getDateHeader(name);
  }
}
