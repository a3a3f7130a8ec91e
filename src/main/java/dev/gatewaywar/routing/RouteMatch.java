package dev.gatewaywar.routing;

import jakarta.servlet.ServletRequest;
import java.util.Map;
import java.util.Optional;

/**
 * The route a request was matched to, available to every filter in its chain and to the proxy.
 *
 * @param pattern the matched pattern as written in the config ({@code /users/:id})
 * @param params values of the pattern's parameters, decoded ({@code id -> 42})
 * @param path the request's normalised path
 */
public record RouteMatch(String pattern, Map<String, String> params, RequestPath path) {
  private static final String ATTRIBUTE = RouteMatch.class.getName();

  public RouteMatch {
    params = Map.copyOf(params);
  }

  /** The match of {@code request}; present for every request that reaches a route's filters. */
  public static Optional<RouteMatch> from(ServletRequest request) {
    return Optional.ofNullable((RouteMatch) request.getAttribute(ATTRIBUTE));
  }

  /** The value of the path parameter {@code name}, if the pattern has it. */
  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** Attaches this match to {@code request}; called by the front controller only. */
  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }
}
