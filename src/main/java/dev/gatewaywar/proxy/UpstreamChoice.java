package dev.gatewaywar.proxy;

import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * Which target answered a request of a route with several targets, and after how many attempts: for
 * the access log. Attached to the request by the proxy servlet; read once the response is complete.
 */
public interface UpstreamChoice {
  String ATTRIBUTE = UpstreamChoice.class.getName();

  /** The base URL of the target that answered (or was tried last); null when none was. */
  String upstream();

  /**
   * Attempts made: 1 unless a connect failure moved the request or {@code retry} sent it again; 0
   * when no target was available.
   */
  int attempts();

  static Optional<UpstreamChoice> from(ServletRequest request) {
    return Optional.ofNullable((UpstreamChoice) request.getAttribute(ATTRIBUTE));
  }
}
