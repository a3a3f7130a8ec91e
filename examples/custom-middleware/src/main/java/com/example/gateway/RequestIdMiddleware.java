package com.example.gateway;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.routing.RouteMatch;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.UUID;

/**
 * An example custom middleware, named {@code request-id} in a route's {@code middleware:} list.
 *
 * <p>It gives every request an {@code X-Request-Id} (keeping a well-formed one the client sent),
 * forwards it to the upstream and returns it to the client; and it passes the route's path
 * parameters to the upstream as {@code X-Route-Param-<name>} headers, read through the gateway's
 * {@link RouteMatch} accessor. A plain servlet {@link Filter}: the gateway builds one per route
 * that names it, when the configuration is loaded.
 */
public final class RequestIdMiddleware implements Middleware {
  static final String HEADER = "X-Request-Id";

  @Override
  public String name() {
    return "request-id";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return new RequestIdFilter();
  }

  static final class RequestIdFilter extends HttpFilter {
    @Override
    protected void doFilter(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      String id = request.getHeader(HEADER);
      if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
        id = UUID.randomUUID().toString();
      }
      List<String[]> added = new ArrayList<>();
      added.add(new String[] {HEADER, id});
      RouteMatch.from(request)
          .ifPresent(
              match ->
                  match
                      .params()
                      .forEach((k, v) -> added.add(new String[] {"X-Route-Param-" + k, v})));
      response.setHeader(HEADER, id);
      chain.doFilter(new WithHeaders(request, added), response);
    }
  }

  /** The request with headers set (replacing any the client sent under the same names). */
  static final class WithHeaders extends HttpServletRequestWrapper {
    private final List<String[]> headers;

    WithHeaders(HttpServletRequest request, List<String[]> headers) {
      super(request);
      this.headers = headers;
    }

    private String[] find(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h;
        }
      }
      return null;
    }

    @Override
    public String getHeader(String name) {
      String[] h = find(name);
      return h != null ? h[1] : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String[] h = find(name);
      return h != null ? Collections.enumeration(List.of(h[1])) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = new ArrayList<>();
      for (String n : Collections.list(super.getHeaderNames())) {
        if (find(n) == null) {
          names.add(n);
        }
      }
      headers.forEach(h -> names.add(h[0]));
      return Collections.enumeration(names);
    }
  }
}
