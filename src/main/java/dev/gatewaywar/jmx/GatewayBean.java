package dev.gatewaywar.jmx;

import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link GatewayMBean}, read from the status when asked. */
record GatewayBean(GatewayStatus status, GatewayMBeans mbeans, ClassLoader webappLoader)
    implements GatewayMBean {
  /** The name of the thread a reload asked through JMX runs on. */
  static final String RELOAD_THREAD = "gateway-jmx-reload";

  /**
   * How long {@link #reload()} waits for the outcome (building a configuration may fetch an OpenID
   * provider's keys) before answering that it still runs.
   */
  static final Duration RELOAD_WAIT = Duration.ofSeconds(60);

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
   * Runs the reload on a thread of the webapp's own ({@value #RELOAD_THREAD}, with the webapp's
   * context class loader, as the watcher's), not on the JMX client's: that one belongs to the
   * server (Tomcat's manager, WildFly's JMX remoting pool) and outlives the webapp, and whatever
   * the reload's libraries leave on a thread (thread-local caches) would keep the webapp's class
   * loader alive for as long as that thread lives.
   */
  @Override
  public String reload() {
    FutureTask<ReloadResult> task = new FutureTask<>(status::reload);
    Thread thread = new Thread(task, RELOAD_THREAD);
    thread.setDaemon(true);
    thread.setContextClassLoader(webappLoader);
    thread.start();
    ReloadResult result;
    try {
      result = task.get(RELOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return "still reloading after "
          + RELOAD_WAIT.toSeconds()
          + " s: LoadedAt and LastReloadError will tell how it ended";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while waiting for the reload";
    } catch (ExecutionException e) {
      return "reload failed: " + e.getCause().getClass().getName();
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
