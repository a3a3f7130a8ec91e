package dev.gatewaywar.api;

import java.util.Map;

/**
 * Thrown by a filter (or the proxy) to end a request with a gateway error; the front controller
 * turns it into the response. Carries no stack trace: it is control flow, not a bug.
 */
public final class GatewayException extends RuntimeException {
  private final GatewayError error;
  private final Map<String, String> headers;

  public GatewayException(GatewayError error) {
    this(error, Map.of());
  }

  /** With response headers the error needs ({@code Allow}, {@code Retry-After}...). */
  public GatewayException(GatewayError error, Map<String, String> headers) {
    super(error.message(), null, false, false);
    this.error = error;
    this.headers = Map.copyOf(headers);
  }

  public GatewayError error() {
    return error;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
