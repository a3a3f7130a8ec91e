package dev.gatewaywar.ratelimit;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.ratelimit.RateLimitConfig.OnBackendError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Takes a token from the request's bucket, or answers 429. Every response of a limited route says
 * where the client stands: {@code RateLimit-Limit} (the bucket's capacity), {@code
 * RateLimit-Remaining} (tokens left) and {@code RateLimit-Reset} (seconds until the bucket is full
 * again), the header names of the IETF httpapi draft that Kong also sends. A 429 adds {@code
 * Retry-After} (RFC 9110 §10.2.3): seconds until the next token, rounded up.
 */
public final class RateLimitFilter extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(RateLimitFilter.class.getName());
  static final String LIMIT = "RateLimit-Limit";
  static final String REMAINING = "RateLimit-Remaining";
  static final String RESET = "RateLimit-Reset";
  static final String RETRY_AFTER = "Retry-After";

  private final ClientKeyResolver keys;
  private final KeyedRateLimiter limiter;
  private final OnBackendError onBackendError;
  private final Runnable onDestroy;

  /**
   * @param onDestroy releases the limiter when this filter is retired (a shared one is closed by
   *     its last user)
   */
  public RateLimitFilter(
      ClientKeyResolver keys,
      KeyedRateLimiter limiter,
      OnBackendError onBackendError,
      Runnable onDestroy) {
    this.keys = keys;
    this.limiter = limiter;
    this.onBackendError = onBackendError;
    this.onDestroy = onDestroy;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    RateLimitDecision d = limiter.tryAcquire(keys.keyOf(request));
    switch (d.outcome()) {
      case ALLOWED -> {
        setStateHeaders(response, d);
        chain.doFilter(request, response);
      }
      case LIMITED -> {
        setStateHeaders(response, d);
        LOG.fine(() -> "rate limited " + request.getMethod() + " " + request.getRequestURI());
        throw new GatewayException(
            GatewayError.RATE_LIMITED,
            Map.of(
                RETRY_AFTER,
                String.valueOf(Math.max(1, RateLimitDecision.seconds(d.nanosUntilNextToken())))));
      }
      case BACKEND_UNAVAILABLE -> {
        // Nothing is known about the bucket, so no RateLimit-* headers; BackendHealth has
        // logged the outage once and counts it.
        if (onBackendError == OnBackendError.ALLOW) {
          chain.doFilter(request, response);
        } else {
          throw new GatewayException(GatewayError.SERVICE_UNAVAILABLE, Map.of(RETRY_AFTER, "1"));
        }
      }
    }
  }

  private static void setStateHeaders(HttpServletResponse response, RateLimitDecision d) {
    response.setHeader(LIMIT, Long.toString(d.limit()));
    response.setHeader(REMAINING, Long.toString(d.remaining()));
    response.setHeader(RESET, Long.toString(RateLimitDecision.seconds(d.nanosUntilFull())));
  }

  /** The limiter this filter draws from (tests and the memory benchmark look at it). */
  public KeyedRateLimiter limiter() {
    return limiter;
  }

  @Override
  public void destroy() {
    onDestroy.run();
  }
}
