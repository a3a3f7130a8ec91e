package dev.gatewaywar.observability;

import jakarta.servlet.ServletContext;

/**
 * Whether the gateway is serving: set once its configuration is loaded and its routes registered,
 * cleared when the webapp starts to stop, so a load balancer polling the readiness endpoint stops
 * sending traffic before requests start to fail.
 */
public final class Readiness {
  private static final String ATTRIBUTE = Readiness.class.getName();

  private volatile boolean serving;

  /** Installs a new, not yet serving, readiness in the webapp {@code context}. */
  public static Readiness installIn(ServletContext context) {
    Readiness r = new Readiness();
    context.setAttribute(ATTRIBUTE, r);
    return r;
  }

  /** The readiness of the webapp {@code context}; a never-ready one when none is installed. */
  public static Readiness from(ServletContext context) {
    Object r = context.getAttribute(ATTRIBUTE);
    return r instanceof Readiness readiness ? readiness : new Readiness();
  }

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
