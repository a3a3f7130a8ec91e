package dev.gatewaywar.requestid;

import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.api.RequestId;
import dev.gatewaywar.api.ReservedResponseHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.UUID;

/**
 * Gives each request an id: the client's own when it sent one usable value, else a random UUID. The
 * id goes upstream in the configured header (owned by the gateway, so the client's copy is
 * replaced, not doubled), back to the client in the same header, and to other filters and the
 * access log as {@link RequestId}. The upstream's copy of the header in its answer is dropped, so
 * the client gets the id once.
 */
final class RequestIdFilter extends HttpFilter {
  /** Longer client ids are replaced: they would bloat every log line and upstream request. */
  static final int MAX_LENGTH = 128;

  private final String header;

  RequestIdFilter(RequestIdConfig config) {
    this.header = config.header();
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String id = clientId(request.getHeaders(header));
    if (id == null) {
      id = UUID.randomUUID().toString();
    }
    new RequestId(id).attachTo(request);
    GatewayHeaders.set(request, header, id);
    response.setHeader(header, id);
    chain.doFilter(request, ReservedResponseHeaders.reserve(response, header));
  }

  /** The client's id when it sent exactly one of 1 to 128 visible ASCII characters, else null. */
  static String clientId(Enumeration<String> values) {
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    String v = values.nextElement();
    if (values.hasMoreElements() || !usable(v)) {
      return null;
    }
    return v;
  }

  static boolean usable(String v) {
    if (v.isEmpty() || v.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
