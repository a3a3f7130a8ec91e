package dev.gatewaywar.operations;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * One target of a route.
 *
 * @param url the target's URL, without credentials
 * @param healthChecked whether the route has active health checks ({@code health_check})
 * @param healthy false while its health checks have it out of rotation; true without checks
 * @param circuit its circuit breaker's state; {@link CircuitState#CLOSED} without a breaker
 * @param inFlight requests sent to it and not yet ended; empty for a plain {@code target:} route,
 *     whose one target is not counted apart from the route
 */
public record TargetStatus(
    String url,
    boolean healthChecked,
    boolean healthy,
    CircuitState circuit,
    OptionalInt inFlight) {

  /** A circuit breaker's state, as {@code gateway_circuit_breaker_state} numbers it. */
  public enum CircuitState {
    CLOSED,
    OPEN,
    HALF_OPEN;

    /** {@code closed}, {@code open}, {@code half-open}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** From {@code gateway_circuit_breaker_state}'s number: 0 closed, 1 open, 2 half-open. */
    public static CircuitState ofMetric(int state) {
      return switch (state) {
        case 1 -> OPEN;
        case 2 -> HALF_OPEN;
        default -> CLOSED;
      };
    }
  }

  /** Up: healthy and its breaker not open. */
  public boolean available() {
    return healthy && circuit != CircuitState.OPEN;
  }

  /**
   * One word for an operator: {@code down} (its health checks took it out), {@code open} (its
   * breaker keeps it out), {@code half-open} (trial calls decide) or {@code up}.
   */
  public String state() {
    if (!healthy) {
      return "down";
    }
    return circuit == CircuitState.CLOSED ? "up" : circuit.label();
  }
}
