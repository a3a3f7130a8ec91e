package dev.gatewaywar.headers;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The client's request without some of its headers, as the rest of the chain and the proxy see it:
 * those the route removes, and those whose new values travel in {@link
 * dev.gatewaywar.api.GatewayHeaders} (so the client's copy is not sent beside them).
 */
final class HiddenHeadersRequest extends HttpServletRequestWrapper {
  /** Scanned with {@code equalsIgnoreCase}: a handful of names, checked per header. */
  private final String[] hidden;

  HiddenHeadersRequest(HttpServletRequest request, String[] hidden) {
    super(request);
    this.hidden = hidden;
  }

  private boolean isHidden(String name) {
    for (String h : hidden) {
      if (h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String getHeader(String name) {
    return isHidden(name) ? null : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    return isHidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
      String n = e.nextElement();
      if (!isHidden(n)) {
        names.add(n);
      }
    }
    return Collections.enumeration(names);
  }

  @Override
  public int getIntHeader(String name) {
    return isHidden(name) ? -1 : super.getIntHeader(name);
  }

  @Override
  public long getDateHeader(String name) {
    return isHidden(name) ? -1 : super.getDateHeader(name);
  }
}
