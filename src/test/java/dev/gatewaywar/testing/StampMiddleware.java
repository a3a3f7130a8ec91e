package dev.gatewaywar.testing;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
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

/**
 * Test middleware that appends its name to the {@code X-Chain} request header, so the upstream sees
 * the order the chain ran in. Two named subclasses, as ServiceLoader makes one of each.
 */
public abstract class StampMiddleware implements Middleware {
  public static final String HEADER = "X-Chain";

  /** Named {@code first}. */
  public static final class First extends StampMiddleware {
    @Override
    public String name() {
      return "first";
    }
  }

  /** Named {@code second}. */
  public static final class Second extends StampMiddleware {
    @Override
    public String name() {
      return "second";
    }
  }

  @Override
  public Filter create(MiddlewareContext context) {
    String name = name();
    return new HttpFilter() {
      @Override
      protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
          throws IOException, ServletException {
        String before = req.getHeader(HEADER);
        String value = before == null ? name : before + "," + name;
        chain.doFilter(
            new HttpServletRequestWrapper(req) {
              @Override
              public String getHeader(String n) {
                return n.equalsIgnoreCase(HEADER) ? value : super.getHeader(n);
              }

              @Override
              public Enumeration<String> getHeaders(String n) {
                return n.equalsIgnoreCase(HEADER)
                    ? Collections.enumeration(List.of(value))
                    : super.getHeaders(n);
              }

              @Override
              public Enumeration<String> getHeaderNames() {
                List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
                names.removeIf(HEADER::equalsIgnoreCase);
                names.add(HEADER);
                return Collections.enumeration(names);
              }
            },
            res);
      }
    };
  }
}
