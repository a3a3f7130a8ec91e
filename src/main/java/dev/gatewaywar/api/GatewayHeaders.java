package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The headers filters decided the gateway sends upstream for one request (the {@code auth}
 * middleware's claim headers, for one). The proxy writes them after it has dropped the hop-by-hop
 * headers and the client's copies of the headers the gateway owns, so no client header, a {@code
 * Connection} token included, removes or shadows them. A middleware that sets one names it in its
 * {@link dev.gatewaywar.config.ConfigBlock#upstreamHeaders}, which makes the gateway own it.
 */
public final class GatewayHeaders {
  private static final String ATTRIBUTE = GatewayHeaders.class.getName();

  private final List<Map.Entry<String, String>> headers = new ArrayList<>(4);
  private final List<String> removed = new ArrayList<>(1);

  private GatewayHeaders() {}

  /** Sets {@code name} to {@code value} on the upstream request, replacing an earlier one. */
  public static void set(ServletRequest request, String name, String value) {
    GatewayHeaders h = on(request);
    h.headers.removeIf(e -> e.getKey().equalsIgnoreCase(name));
    h.headers.add(Map.entry(name, value));
  }

  /**
   * Keeps the client's {@code name} header from the upstream request: for credentials the gateway
   * consumed ({@code Authorization} after basic authentication). Headers {@link #set} are sent.
   */
  public static void removeClientHeader(ServletRequest request, String name) {
    on(request).removed.add(name);
  }

  /** True when a filter kept the client's {@code name} header from the upstream request. */
  public static boolean removesClientHeader(ServletRequest request, String name) {
    GatewayHeaders h = (GatewayHeaders) request.getAttribute(ATTRIBUTE);
    if (h != null) {
      for (String r : h.removed) {
        if (r.equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static GatewayHeaders on(ServletRequest request) {
    GatewayHeaders h = (GatewayHeaders) request.getAttribute(ATTRIBUTE);
    if (h == null) {
      h = new GatewayHeaders();
      request.setAttribute(ATTRIBUTE, h);
    }
    return h;
  }

  /** The headers set on this request, in the order they were set; empty when none. */
  public static List<Map.Entry<String, String>> of(ServletRequest request) {
    GatewayHeaders h = (GatewayHeaders) request.getAttribute(ATTRIBUTE);
    return h == null ? List.of() : h.headers;
  }
}
