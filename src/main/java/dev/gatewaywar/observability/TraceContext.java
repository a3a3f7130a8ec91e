package dev.gatewaywar.observability;

import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * The trace and span a request is part of, once a tracing filter has started its span: what the
 * access log adds to its line so a log line leads to its trace.
 *
 * @param traceId 32 lower-case hex digits (W3C trace context)
 * @param spanId 16 lower-case hex digits
 */
public record TraceContext(String traceId, String spanId) {
  private static final String ATTRIBUTE = TraceContext.class.getName();

  public static Optional<TraceContext> from(ServletRequest request) {
    return Optional.ofNullable((TraceContext) request.getAttribute(ATTRIBUTE));
  }

  /** Attaches this context to {@code request}; called by the tracing filter. */
  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }
}
