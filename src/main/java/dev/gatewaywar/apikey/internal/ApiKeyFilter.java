package dev.gatewaywar.apikey.internal;

import dev.gatewaywar.api.ApiConsumer;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.apikey.ApiKeyConfig;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Optional;

/**
 * The {@code api_key} filter of one route: the key in {@code header} must be one of the route's;
 * the request then carries its consumer's name ({@link ApiConsumer}, and {@code X-Consumer}
 * upstream). The key's header itself is never passed on: the gateway owns it (see {@link
 * dev.gatewaywar.apikey.ApiKeyBlock#upstreamHeaders}).
 */
public final class ApiKeyFilter extends HttpFilter {
  private final String header;
  private final KeyTable keys;

  public ApiKeyFilter(String header, KeyTable keys) {
    this.header = header;
    this.keys = keys;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String consumer =
        presentedKey(request)
            .flatMap(keys::consumerOf)
            .orElseThrow(() -> new GatewayException(GatewayError.INVALID_API_KEY));
    ApiConsumer.set(request, consumer);
    GatewayHeaders.set(request, ApiKeyConfig.CONSUMER_HEADER, consumer);
    chain.doFilter(request, response);
  }

  /** The one key the request presents; none when it has none, or several (which one counts?). */
  private Optional<String> presentedKey(HttpServletRequest request) {
    Enumeration<String> values = request.getHeaders(header);
    if (values == null || !values.hasMoreElements()) {
      return Optional.empty();
    }
    String key = values.nextElement().trim();
    return key.isEmpty() || values.hasMoreElements() ? Optional.empty() : Optional.of(key);
  }
}
