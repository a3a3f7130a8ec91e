package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import java.util.OptionalLong;

/**
 * The most bytes of request body the gateway reads from the client for one request, set by a filter
 * ({@code body_limit}) and enforced by the proxy while it streams the body upstream: it counts the
 * bytes as they arrive, and a body growing past the limit ends the upstream exchange, answered 413
 * when no response has started. The body is never held whole and no thread waits on it, which a
 * filter wrapping the input stream could not promise with the proxy's non-blocking reads.
 */
public final class BodyLimit {
  private static final String ATTRIBUTE = BodyLimit.class.getName();

  private BodyLimit() {}

  /**
   * Limits the body of {@code request} to {@code max} bytes. A lower limit set earlier in the route
   * stays: every limit on the way holds.
   */
  public static void set(ServletRequest request, long max) {
    if (max < 0) {
      throw new IllegalArgumentException("a body limit cannot be negative: " + max);
    }
    OptionalLong earlier = from(request);
    if (earlier.isEmpty() || earlier.getAsLong() > max) {
      request.setAttribute(ATTRIBUTE, max);
    }
  }

  /** The body limit of {@code request}; empty when no filter set one. */
  public static OptionalLong from(ServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof Long max
        ? OptionalLong.of(max)
        : OptionalLong.empty();
  }
}
