package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * The name of the consumer whose API key the {@code api_key} middleware accepted for this request
 * ({@code mobile-app}): for the access log's {@code consumer} field, the rate limiter's {@code key:
 * consumer}, and any filter after {@code api_key}. Never the key itself.
 */
public final class ApiConsumer {
  private static final String ATTRIBUTE = ApiConsumer.class.getName();

  private ApiConsumer() {}

  /** The consumer of {@code request}; present once {@code api_key} has accepted its key. */
  public static Optional<String> from(ServletRequest request) {
    return Optional.ofNullable((String) request.getAttribute(ATTRIBUTE));
  }

  /** Names the consumer of {@code request}; called by the api_key filter only. */
  public static void set(ServletRequest request, String name) {
    request.setAttribute(ATTRIBUTE, Objects.requireNonNull(name, "name"));
  }
}
