package dev.gatewaywar.jmx;

/**
 * {@code dev.gatewaywar:type=Route,context="...",route="<pattern>",methods="<list>"}: one route's
 * traffic since the webapp started.
 */
public interface RouteMBean {
  /** Requests the route answered. */
  long getRequests();

  /** Of those, answers with a 5xx status. */
  long getServerErrors();

  /** Requests of the route in progress now. */
  long getInFlight();
}
