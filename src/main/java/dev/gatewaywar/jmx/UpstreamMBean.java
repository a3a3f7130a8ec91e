package dev.gatewaywar.jmx;

/**
 * {@code dev.gatewaywar:type=Upstream,context="...",route="<pattern>",target="<url>"}: one target
 * of one route, as the balancer sees it.
 */
public interface UpstreamMBean {
  /** Whether the target is taken into account (always, for a route without health checks). */
  boolean isHealthy();

  /** The target's circuit breaker: {@code closed}, {@code open} or {@code half-open}. */
  String getCircuitState();

  /** Requests sent to the target and not yet answered. */
  long getInFlight();
}
