package dev.gatewaywar.api;

/**
 * Every response the gateway makes itself, as a typed cause: its status and the stable message
 * clients see in {@code {"error": "..."}}. Filters throw {@link GatewayException} or call {@link
 * ErrorResponses}; nothing else writes an error body.
 */
public enum GatewayError {
  BAD_REQUEST(400, "bad request"),
  MISSING_TOKEN(401, "missing token"),
  INVALID_TOKEN(401, "invalid token"),
  /** No API key, or one the {@code api_key} middleware does not know. */
  INVALID_API_KEY(401, "invalid api key"),
  /** Basic authentication: no credentials, or ones the realm or password file refused. */
  INVALID_CREDENTIALS(401, "invalid credentials"),
  FORBIDDEN(403, "forbidden"),
  /** The client's address is refused by the route's {@code ip_filter}: not an auth failure. */
  ADDRESS_REFUSED(403, "forbidden"),
  NOT_FOUND(404, "not found"),
  METHOD_NOT_ALLOWED(405, "method not allowed"),
  /** The client stopped sending its request body for longer than {@code timeouts.client_body}. */
  REQUEST_TIMEOUT(408, "request timeout"),
  /** The request body is larger than the route's {@code body_limit.max} (or the container's). */
  PAYLOAD_TOO_LARGE(413, "request body too large"),
  RATE_LIMITED(429, "rate limit exceeded"),
  INTERNAL(500, "internal error"),
  BAD_GATEWAY(502, "bad gateway"),
  SERVICE_UNAVAILABLE(503, "service unavailable"),
  /** The gateway is stopping: requests in flight finish, new ones are turned away. */
  SHUTTING_DOWN(503, "shutting down"),
  /** Every target of the route failed its health checks or has its circuit breaker open. */
  NO_HEALTHY_UPSTREAM(503, "no healthy upstream"),
  GATEWAY_TIMEOUT(504, "gateway timeout"),
  /** HTTP/0.9 (no version, no headers): never proxied. */
  HTTP_VERSION_NOT_SUPPORTED(505, "http version not supported");

  private final int status;
  private final String message;

  GatewayError(int status, String message) {
    this.status = status;
    this.message = message;
  }

  public int status() {
    return status;
  }

  /** The text of the {@code error} field: stable, so clients may match on it. */
  public String message() {
    return message;
  }

  /** The cause for a status the container decided on (its own 400s, 413s...). */
  public static GatewayError forStatus(int status) {
    for (GatewayError e : values()) {
      if (e.status == status) {
        return e;
      }
    }
    return status >= 500 ? INTERNAL : BAD_REQUEST;
  }
}
