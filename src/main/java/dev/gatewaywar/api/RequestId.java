package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * The request's id, for any filter and for the access log once the {@code request_id} middleware
 * has decided it: {@code RequestId.from(request)}. Immutable.
 *
 * @param value the id as sent upstream and returned to the client
 */
public record RequestId(String value) {
  private static final String ATTRIBUTE = RequestId.class.getName();

  /** The id of {@code request}; present once the {@code request_id} filter has run. */
  public static Optional<RequestId> from(ServletRequest request) {
    return Optional.ofNullable((RequestId) request.getAttribute(ATTRIBUTE));
  }

  /** Attaches this id to {@code request}; called by the request-id filter only. */
  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }
}
