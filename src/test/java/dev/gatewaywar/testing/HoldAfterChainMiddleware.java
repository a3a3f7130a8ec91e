package dev.gatewaywar.testing;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Test middleware {@code hold-after-chain}: once the rest of the chain has returned (the proxy has
 * sent the request upstream and handed the answer to the upstream client's threads), it keeps the
 * container's request thread for {@link #HOLD_MS}. Until that thread returns, the container does
 * not let the proxy write, so an upstream that fails in the meantime does so before the client has
 * been sent anything.
 */
public final class HoldAfterChainMiddleware implements Middleware {
  /** Far longer than the upstream client takes to see an upstream close its connection. */
  public static final long HOLD_MS = 1_000;

  @Override
  public String name() {
    return "hold-after-chain";
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return new HttpFilter() {
      @Override
      protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
          throws IOException, ServletException {
        chain.doFilter(req, res);
        try {
          Thread.sleep(HOLD_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }
}
