package dev.gatewaywar;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.ServerConfig;
import dev.gatewaywar.reload.ConfigFile;
import dev.gatewaywar.reload.ConfigWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies a changed configuration file ({@code server.reload}): parses it as strictly as at
 * deployment, builds every route's filters, and swaps the result in. Anything wrong, and the
 * configuration in use stays, the problems are logged with their keys and lines (the same message a
 * failed deployment logs), and {@code gateway_config_reload_total{result="failure"}} counts it.
 */
final class ConfigReloader implements ConfigWatcher.Listener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

  private final ConfigLoader loader;
  private final WebappParts parts;
  private final Runtimes runtimes;
  private final Clock clock;
  private final Object lock = new Object();
  private boolean closed;
  private ConfigWatcher watcher;

  private ConfigReloader(ConfigLoader loader, WebappParts parts, Runtimes runtimes, Clock clock) {
    this.loader = loader;
    this.parts = parts;
    this.runtimes = runtimes;
    this.clock = clock;
  }

  /**
   * Watches {@code loaded}'s file for changes to the content that was loaded.
   *
   * @param clock the wall clock the last-success timestamp metric is read from
   */
  static ConfigReloader start(
      ConfigFile loaded, ConfigLoader loader, WebappParts parts, Runtimes runtimes, Clock clock) {
    ConfigReloader reloader = new ConfigReloader(loader, parts, runtimes, clock);
    reloader.watcher =
        ConfigWatcher.start(
            loaded.path(),
            loaded.digest(),
            runtimes.current().config().server().reload(),
            reloader);
    return reloader;
  }

  @Override
  public void changed(ConfigFile file) {
    GatewayRuntime next;
    try {
      GatewayConfig config = loader.parse(file.text(), file.path().toString());
      next = GatewayRuntime.build(config, parts);
    } catch (ConfigException e) {
      rejected(e.getMessage(), null);
      return;
    } catch (RuntimeException e) {
      rejected("building the configuration from " + file.path() + " failed: " + e, e);
      return;
    }
    GatewayRuntime previous;
    synchronized (lock) {
      if (closed) {
        // the webapp is stopping: what was built is never served
        next.close();
        return;
      }
      warnAboutFixedSettings(runtimes.current().config(), next.config());
      previous = runtimes.swap(next);
    }
    parts.metrics().configReloaded(true, clock.instant());
    LOG.info(
        () ->
            "configuration reloaded from "
                + file.path()
                + ": "
                + next.config().routes().size()
                + " routes; "
                + previous.inFlight()
                + " request(s) finishing on the previous configuration");
  }

  @Override
  public void unreadable(Path file, IOException problem) {
    rejected(
        "cannot read the configuration file "
            + file
            + " ("
            + problem
            + "); still serving the configuration loaded before",
        null);
  }

  @Override
  public void looked() {
    runtimes.reap();
  }

  private void rejected(String message, Throwable cause) {
    synchronized (lock) {
      if (closed) {
        return; // interrupted by the stop, not a problem with the file
      }
    }
    parts.metrics().configReloaded(false, clock.instant());
    LOG.log(
        Level.SEVERE,
        "configuration reload rejected, still serving the previous configuration: " + message,
        cause);
  }

  /**
   * Settings read once at start: a reload cannot change them, and saying nothing would let someone
   * believe it had.
   */
  private static void warnAboutFixedSettings(GatewayConfig before, GatewayConfig after) {
    List<String> fixed = new ArrayList<>();
    ServerConfig was = before.server();
    ServerConfig is = after.server();
    if (was.port() != is.port()) {
      fixed.add("server.port (the embedded runner's connector; an app server ignores it)");
    }
    if (!was.reload().equals(is.reload())) {
      fixed.add("server.reload (the watcher's own settings)");
    }
    if (!before.upstream().equals(after.upstream())) {
      fixed.add(
          "upstream (the connection pool and the retry buffer are shared by every configuration)");
    }
    if (!fixed.isEmpty()) {
      LOG.warning(
          () ->
              "configuration reloaded, but these settings apply only after a restart: "
                  + String.join("; ", fixed));
    }
  }

  /** Stops watching; a reload in progress is discarded. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    watcher.close();
  }
}
