package dev.gatewaywar.jmx;

import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.TargetStatus;
import java.util.Optional;

/**
 * {@link UpstreamMBean}: the target with this URL of the first route with this pattern in the
 * configuration in use. In flight is {@value RouteBean#NOT_COUNTED} for the one target of a plain
 * {@code target:} route, which is not counted apart from its route.
 */
record UpstreamBean(GatewayStatus status, String pattern, String url) implements UpstreamMBean {

  @Override
  public boolean isHealthy() {
    return target().map(TargetStatus::healthy).orElse(false);
  }

  @Override
  public String getCircuitState() {
    return target().map(t -> t.circuit().label()).orElse(TargetStatus.CircuitState.CLOSED.label());
  }

  @Override
  public long getInFlight() {
    return target()
        .map(t -> t.inFlight().isPresent() ? t.inFlight().getAsInt() : RouteBean.NOT_COUNTED)
        .orElse(RouteBean.NOT_COUNTED);
  }

  private Optional<TargetStatus> target() {
    return status.routes().stream()
        .filter(r -> r.pattern().equals(pattern))
        .flatMap(r -> r.targets().stream())
        .filter(t -> t.url().equals(url))
        .findFirst();
  }
}
