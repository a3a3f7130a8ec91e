package dev.gatewaywar.headers;

import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.api.ReservedResponseHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Changes the headers of one route's requests and responses.
 *
 * <p>Upstream-bound values go in {@link GatewayHeaders}, which the proxy writes after the client's
 * headers; the client's copies of every name touched are hidden ({@link HiddenHeadersRequest}). A
 * value {@code add}ed follows the values already there: the gateway's own (another middleware's)
 * when it set the name, else the client's, unless the name is one the gateway owns (another route's
 * {@code set}): a client's copy of those never reaches an upstream.
 *
 * <p>Client-bound values are written on the response before the chain runs, since the proxy writes
 * the upstream's head later on its own threads; {@link ReservedResponseHeaders} then drops the
 * upstream's values of every name set or removed.
 */
final class HeadersFilter extends HttpFilter {
  private final HeaderEdits.Header[] requestSet;
  private final HeaderEdits.Header[] requestAdd;

  /** Per {@link #requestAdd}: whether the client's own values are kept before the added one. */
  private final boolean[] keepClientValues;

  private final String[] requestTouched;
  private final HeaderEdits.Header[] responseSet;
  private final HeaderEdits.Header[] responseAdd;
  private final String[] responseReserved;

  /**
   * @param ownedByGateway the request headers the gateway owns in this configuration
   */
  HeadersFilter(HeadersConfig config, Set<String> ownedByGateway) {
    HeaderEdits request = config.request();
    HeaderEdits response = config.response();
    requestSet = request.set().toArray(HeaderEdits.Header[]::new);
    requestAdd = request.add().toArray(HeaderEdits.Header[]::new);
    Set<String> owned = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    owned.addAll(ownedByGateway);
    keepClientValues = new boolean[requestAdd.length];
    for (int i = 0; i < requestAdd.length; i++) {
      keepClientValues[i] = !owned.contains(requestAdd[i].name());
    }
    requestTouched = request.touched();
    responseSet = response.set().toArray(HeaderEdits.Header[]::new);
    responseAdd = response.add().toArray(HeaderEdits.Header[]::new);
    List<String> reserved = new ArrayList<>();
    response.set().forEach(h -> reserved.add(h.name()));
    reserved.addAll(response.remove());
    responseReserved = reserved.toArray(String[]::new);
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    for (HeaderEdits.Header h : requestSet) {
      GatewayHeaders.set(request, h.name(), h.value().resolve(request));
    }
    for (int i = 0; i < requestAdd.length; i++) {
      HeaderEdits.Header h = requestAdd[i];
      String earlier = earlierValue(request, h.name(), keepClientValues[i]);
      String value = h.value().resolve(request);
      GatewayHeaders.set(
          request, h.name(), earlier == null ? value : earlier + separator(h.name()) + value);
    }
    for (HeaderEdits.Header h : responseSet) {
      response.setHeader(h.name(), h.value().resolve(request));
    }
    for (HeaderEdits.Header h : responseAdd) {
      response.addHeader(h.name(), h.value().resolve(request));
    }
    chain.doFilter(
        requestTouched.length == 0 ? request : new HiddenHeadersRequest(request, requestTouched),
        ReservedResponseHeaders.reserve(response, responseReserved));
  }

  /** Cookies are joined with "; " (RFC 6265 section 5.4), other fields with ", " (RFC 9110 5.3). */
  private static String separator(String name) {
    return name.equalsIgnoreCase("Cookie") ? "; " : ", ";
  }

  /**
   * What the upstream would get for {@code name} without this filter, as one value (RFC 9110
   * section 5.3): the gateway's own value, else the client's values; null when there is none.
   */
  private static String earlierValue(HttpServletRequest request, String name, boolean client) {
    for (Map.Entry<String, String> e : GatewayHeaders.of(request)) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    if (!client) {
      return null;
    }
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return first;
    }
    StringBuilder all = new StringBuilder(first);
    while (values.hasMoreElements()) {
      all.append(separator(name)).append(values.nextElement());
    }
    return all.toString();
  }
}
