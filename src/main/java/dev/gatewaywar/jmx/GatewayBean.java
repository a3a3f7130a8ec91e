package dev.gatewaywar.jmx;

import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import java.time.format.DateTimeFormatter;

/** {@link GatewayMBean}, read from the status when asked. */
record GatewayBean(GatewayStatus status, GatewayMBeans mbeans) implements GatewayMBean {

  @Override
  public String getConfigFile() {
    return status.config().file();
  }

  @Override
  public String getConfigDigest() {
    return status.config().digest();
  }

  @Override
  public String getLoadedAt() {
    return DateTimeFormatter.ISO_INSTANT.format(status.config().loadedAt());
  }

  @Override
  public int getRouteCount() {
    return status.config().routeCount();
  }

  @Override
  public String getLastReloadError() {
    return status.config().lastReloadError().orElse("");
  }

  /**
   * Runs on the JMX client's thread (Tomcat's manager webapp, WildFly's remoting), whose context
   * class loader is not this webapp's: the reload looks up middleware and parsers the way the
   * watcher's thread, started by the webapp, does.
   */
  @Override
  public String reload() {
    Thread thread = Thread.currentThread();
    ClassLoader caller = thread.getContextClassLoader();
    thread.setContextClassLoader(GatewayBean.class.getClassLoader());
    ReloadResult result;
    try {
      result = status.reload();
    } finally {
      thread.setContextClassLoader(caller);
    }
    mbeans.sync();
    ConfigStatus config = status.config();
    return result
        .error()
        .map(e -> "rejected, still serving " + config.digest() + ": " + firstLine(e))
        .orElseGet(
            () ->
                "loaded "
                    + config.digest()
                    + " ("
                    + config.routeCount()
                    + " routes) from "
                    + config.file());
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end) + " (LastReloadError has all of it)";
  }
}
