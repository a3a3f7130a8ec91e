package dev.gatewaywar.routing;

/** A request path the gateway refuses to route (answered with 400). */
public final class BadPathException extends Exception {
  public BadPathException(String message) {
    super(message, null, false, false);
  }
}
