package dev.gatewaywar.observability;

/**
 * Whether the gateway is serving: set once its configuration is loaded and its routes registered,
 * cleared when the webapp starts to stop, so a load balancer polling the readiness endpoint stops
 * sending traffic before requests start to fail. A new one is not serving yet.
 */
public final class Readiness {
  private volatile boolean serving;

  public boolean isServing() {
    return serving;
  }

  public void serving() {
    serving = true;
  }

  public void stopping() {
    serving = false;
  }
}
