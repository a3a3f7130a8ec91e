package dev.gatewaywar.cors;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.ResponseHeadHooks;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One route's CORS (the Fetch standard's CORS protocol, section 3.2). Browsers enforce it: the
 * gateway only says which origins may read the answers. An allowed origin's preflight is answered
 * here (204) and never reaches the upstream; other requests are proxied whatever their origin,
 * answers to allowed origins carrying {@code Access-Control-Allow-Origin}. The upstream's own
 * {@code Access-Control-*} headers are dropped (the route's settings replace them, so each appears
 * once) and its {@code Vary} is merged with {@code Origin}.
 */
final class CorsFilter implements Filter {
  static final String ORIGIN = "Origin";
  static final String REQUEST_METHOD = "Access-Control-Request-Method";
  private static final String VARY = "Vary";
  private static final String PREFLIGHT_VARY =
      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

  /** Drops the upstream's CORS headers and merges its {@code Vary} with the gateway's. */
  private static final ResponseHeadHooks.Hook OWN_CORS_HEADERS = CorsFilter::replaceUpstreamCors;

  private final CorsConfig cors;
  private final String allowMethods;
  private final String allowHeaders;
  private final String exposeHeaders;
  private final String maxAge;
  private final String allowOnRoute;

  /**
   * @param allowOnRoute the route's methods for {@code Allow}, when it does not take OPTIONS (null
   *     when it does): a preflight the gateway does not answer is then refused as any other OPTIONS
   */
  CorsFilter(CorsConfig cors, String allowOnRoute) {
    this.cors = cors;
    this.allowMethods = String.join(", ", cors.allowMethods());
    this.allowHeaders = String.join(", ", cors.allowHeaders());
    this.exposeHeaders = String.join(", ", cors.exposeHeaders());
    this.maxAge = Long.toString(cors.maxAge().toSeconds());
    this.allowOnRoute = allowOnRoute;
  }

  /** True for a CORS preflight: OPTIONS with {@code Origin} and the method it asks about. */
  static boolean isPreflight(HttpServletRequest request) {
    return "OPTIONS".equals(request.getMethod())
        && request.getHeader(ORIGIN) != null
        && request.getHeader(REQUEST_METHOD) != null;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String origin = request.getHeader(ORIGIN);
    boolean allowed = origin != null && cors.allowOrigins().allows(origin);
    if (isPreflight(request)) {
      if (allowed) {
        answerPreflight(origin, response);
        return;
      }
      if (allowOnRoute != null) {
        throw new GatewayException(GatewayError.METHOD_NOT_ALLOWED, Map.of("Allow", allowOnRoute));
      }
    }
    // set here, not only on the upstream's head, so the gateway's own error answers (401, 429,
    // 502) stay readable by the page instead of turning into a CORS failure
    if (allowed) {
      response.setHeader("Access-Control-Allow-Origin", origin);
      if (cors.allowCredentials()) {
        response.setHeader("Access-Control-Allow-Credentials", "true");
      }
      if (!exposeHeaders.isEmpty()) {
        response.setHeader("Access-Control-Expose-Headers", exposeHeaders);
      }
    }
    // the answer depends on Origin even when it is absent or refused: caches must keep them apart
    response.setHeader(VARY, ORIGIN);
    ResponseHeadHooks.add(request, OWN_CORS_HEADERS);
    chain.doFilter(request, response);
  }

  private void answerPreflight(String origin, HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Access-Control-Allow-Methods", allowMethods);
    if (!allowHeaders.isEmpty()) {
      response.setHeader("Access-Control-Allow-Headers", allowHeaders);
    }
    if (cors.allowCredentials()) {
      response.setHeader("Access-Control-Allow-Credentials", "true");
    }
    response.setHeader("Access-Control-Max-Age", maxAge);
    response.setHeader(VARY, PREFLIGHT_VARY);
  }

  private static void replaceUpstreamCors(
      List<Map.Entry<String, String>> headers, HttpServletResponse clientResponse) {
    StringBuilder vary = null;
    for (Iterator<Map.Entry<String, String>> i = headers.iterator(); i.hasNext(); ) {
      Map.Entry<String, String> h = i.next();
      String name = h.getKey();
      if (name.regionMatches(true, 0, "Access-Control-", 0, 15)) {
        i.remove();
      } else if (name.equalsIgnoreCase(VARY)) {
        i.remove();
        vary =
            vary == null ? new StringBuilder(h.getValue()) : vary.append(", ").append(h.getValue());
      }
    }
    if (vary != null) {
      clientResponse.setHeader(VARY, mergeVary(vary.toString()));
    }
  }

  /** The upstream's {@code Vary} plus {@code Origin}, each field name once (RFC 9110 12.5.5). */
  static String mergeVary(String upstream) {
    for (String field : upstream.split(",")) {
      String f = field.trim();
      if (f.equals("*") || f.equalsIgnoreCase(ORIGIN)) {
        return upstream;
      }
    }
    return upstream.isBlank() ? ORIGIN : upstream + ", " + ORIGIN;
  }
}
