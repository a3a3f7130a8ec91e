package dev.gatewaywar.operations;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One route as the configuration in use has it, with its live counts.
 *
 * @param pattern the path pattern as written ({@code /users/:id})
 * @param methods the methods it takes, upper case and sorted; empty when it takes every method
 * @param middleware the middleware names, in chain order
 * @param targets its targets, in the file's order
 * @param counts its requests, from its {@code metrics} middleware; empty on a route that does not
 *     list {@code metrics}
 */
public record RouteStatus(
    String pattern,
    List<String> methods,
    List<String> middleware,
    List<TargetStatus> targets,
    Optional<Counts> counts) {

  public RouteStatus {
    Objects.requireNonNull(pattern);
    methods = List.copyOf(methods);
    middleware = List.copyOf(middleware);
    targets = List.copyOf(targets);
  }

  /**
   * A route's counts, read from what its {@code metrics} middleware records ({@code
   * gateway_requests_total} and its requests in flight): like the metrics, they count what reaches
   * the {@code metrics} filter, and they outlive a reload that keeps the route.
   *
   * @param requests requests counted (every status)
   * @param serverErrors of those, answered with a 5xx status
   * @param inFlight requests inside the route's {@code metrics} filter now
   */
  public record Counts(long requests, long serverErrors, long inFlight) {}

  /** The methods as one text: {@code GET,POST}, or {@code *} for every method. */
  public String methodList() {
    return methods.isEmpty() ? "*" : String.join(",", methods);
  }
}
