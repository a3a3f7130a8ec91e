package dev.gatewaywar.testing;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Test middleware named {@code probe} that passes requests on and records when its filter is
 * destroyed, as {@code "destroyed <route target>"}, so a test can tell when the gateway closed the
 * configuration a route belonged to (each test's upstream has its own port, so its own target). It
 * refuses a route whose path is {@value #REFUSED_PATH}, as a custom middleware refuses a route it
 * cannot serve: a configuration that loads but cannot be built.
 */
public final class ProbeMiddleware implements Middleware {
  /** Every destroyed probe filter, in order; tests look for their own targets. */
  public static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

  /** The path of a route this middleware refuses to be built for. */
  public static final String REFUSED_PATH = "/refused";

  @Override
  public String name() {
    return "probe";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    if (context.route().path().equals(REFUSED_PATH)) {
      throw new IllegalArgumentException("probe refuses " + REFUSED_PATH);
    }
    String target = context.route().target().toString();
    return new Filter() {
      @Override
      public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
          throws IOException, ServletException {
        chain.doFilter(request, response);
      }

      @Override
      public void destroy() {
        EVENTS.add("destroyed " + target);
      }
    };
  }
}
