package dev.gatewaywar.jmx;

import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.RouteStatus;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * {@link RouteMBean}: the route with this pattern and these methods in the configuration in use, so
 * the MBean a reload keeps reads the new configuration's route. {@value #NOT_COUNTED} for a count
 * the route does not keep (it does not list the {@code metrics} middleware) or a route no longer
 * there.
 */
record RouteBean(GatewayStatus status, String pattern, String methods) implements RouteMBean {
  static final long NOT_COUNTED = -1;

  @Override
  public long getRequests() {
    return count(RouteStatus.Counts::requests);
  }

  @Override
  public long getServerErrors() {
    return count(RouteStatus.Counts::serverErrors);
  }

  @Override
  public long getInFlight() {
    return count(RouteStatus.Counts::inFlight);
  }

  private long count(ToLongFunction<RouteStatus.Counts> which) {
    return route().flatMap(RouteStatus::counts).map(c -> which.applyAsLong(c)).orElse(NOT_COUNTED);
  }

  private Optional<RouteStatus> route() {
    return status.routes().stream()
        .filter(r -> r.pattern().equals(pattern) && r.methodList().equals(methods))
        .findFirst();
  }
}
