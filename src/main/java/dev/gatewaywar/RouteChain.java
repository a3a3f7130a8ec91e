package dev.gatewaywar;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * One step of a route's filter chain: runs filter {@code index}, handing it the next step, and
 * after the last filter calls {@code terminal} (the container's chain, which ends in the proxy
 * servlet). A new step per filter, as in OkHttp's RealInterceptorChain, lets each step check that
 * its filter called {@code doFilter} at most once: a second call would send the request upstream
 * twice.
 */
final class RouteChain implements FilterChain {
  private final Filter[] filters;
  private final int index;
  private final FilterChain terminal;
  private boolean called;

  private RouteChain(Filter[] filters, int index, FilterChain terminal) {
    this.filters = filters;
    this.index = index;
    this.terminal = terminal;
  }

  /** Runs {@code filters} in order, then {@code terminal}. */
  static void run(
      Filter[] filters, FilterChain terminal, ServletRequest request, ServletResponse response)
      throws IOException, ServletException {
    new RouteChain(filters, 0, terminal).doFilter(request, response);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response)
      throws IOException, ServletException {
    if (called) {
      String who = index == 0 ? "the gateway" : filters[index - 1].getClass().getName();
      throw new IllegalStateException(who + " called chain.doFilter more than once");
    }
    called = true;
    if (index < filters.length) {
      filters[index].doFilter(request, response, new RouteChain(filters, index + 1, terminal));
    } else {
      terminal.doFilter(request, response);
    }
  }
}
