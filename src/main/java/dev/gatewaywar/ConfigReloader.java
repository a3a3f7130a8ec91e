package dev.gatewaywar;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.ServerConfig;
import dev.gatewaywar.operations.ReloadResult;
import dev.gatewaywar.reload.ConfigFile;
import dev.gatewaywar.reload.ConfigWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies a changed configuration file ({@code server.reload}, or when asked through the status
 * view): parses it as strictly as at deployment, builds every route's filters, and swaps the result
 * in. Anything wrong, and the configuration in use stays, the problems are logged with their keys
 * and lines (the same message a failed deployment logs), and {@code
 * gateway_config_reload_total{result="failure"}} counts it.
 */
final class ConfigReloader implements ConfigWatcher.Listener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());
  private static final String STOPPING = "the gateway is stopping";

  private final ConfigLoader loader;
  private final WebappParts parts;
  private final Runtimes runtimes;
  private final LiveStatus status;
  private final Path file;
  private final Clock clock;
  private final Object lock = new Object();

  /** Held for a whole reload: the watcher's and one asked for ({@link #reloadNow}) take turns. */
  private final Object reloading = new Object();

  private boolean closed;
  private ConfigWatcher watcher;

  /** Runs after each configuration swapped in: the MBeans follow the routes. */
  private volatile Runnable afterSwap = () -> {};

  private ConfigReloader(
      Path file,
      ConfigLoader loader,
      WebappParts parts,
      Runtimes runtimes,
      LiveStatus status,
      Clock clock) {
    this.file = file;
    this.loader = loader;
    this.parts = parts;
    this.runtimes = runtimes;
    this.status = status;
    this.clock = clock;
  }

  /**
   * Reloads {@code loaded}'s file when asked ({@link #reloadNow}), and, when {@code server.reload}
   * is enabled, whenever its content changes from what was loaded.
   *
   * @param status told of every configuration swapped in and every attempt's outcome
   * @param clock the wall clock the last-success timestamp metric is read from
   */
  static ConfigReloader start(
      ConfigFile loaded,
      ConfigLoader loader,
      WebappParts parts,
      Runtimes runtimes,
      LiveStatus status,
      Clock clock) {
    ConfigReloader reloader =
        new ConfigReloader(loaded.path(), loader, parts, runtimes, status, clock);
    if (runtimes.current().config().server().reload().enabled()) {
      reloader.watcher =
          ConfigWatcher.start(
              loaded.path(),
              loaded.digest(),
              runtimes.current().config().server().reload(),
              reloader);
    }
    return reloader;
  }

  /** Runs {@code action} after each configuration a reload swaps in, on the reloading thread. */
  void afterEachSwap(Runnable action) {
    afterSwap = action;
  }

  /** Whether the file is watched for changes ({@code server.reload.enabled}). */
  boolean watching() {
    return watcher != null;
  }

  /** Reads the file now and applies it, as when the watcher sees it change. */
  ReloadResult reloadNow() {
    ConfigFile read;
    try {
      read = ConfigFile.read(file);
    } catch (IOException e) {
      return unreadableFile(file, e);
    }
    return apply(read);
  }

  @Override
  public void changed(ConfigFile file) {
    synchronized (reloading) {
      if (status.serves(file.digest())) {
        return; // already applied by a reload someone asked for
      }
      apply(file);
    }
  }

  private ReloadResult apply(ConfigFile file) {
    synchronized (reloading) {
      return build(file);
    }
  }

  private ReloadResult build(ConfigFile file) {
    GatewayRuntime next;
    try {
      GatewayConfig config = loader.parse(file.text(), file.path().toString());
      next = GatewayRuntime.build(config, parts);
    } catch (ConfigException e) {
      return rejected(e.getMessage(), null);
    } catch (RuntimeException e) {
      // the status shows the kind only: an exception's message may quote any value
      return rejected(
          "building the configuration from " + file.path() + " failed: " + e,
          e,
          "building the configuration from " + file.path() + " failed: " + e.getClass().getName());
    }
    GatewayRuntime previous;
    Instant now = clock.instant();
    synchronized (lock) {
      if (closed) {
        // the webapp is stopping: what was built is never served
        next.close();
        return ReloadResult.failed(now, STOPPING);
      }
      warnAboutFixedSettings(runtimes.current().config(), next.config());
      previous = runtimes.swap(next);
      status.loaded(next, file.path().toString(), file.digest(), now);
    }
    ReloadResult ok = ReloadResult.ok(now);
    status.reloaded(ok);
    try {
      afterSwap.run();
    } catch (RuntimeException e) {
      // the configuration is in use whatever its followers make of it
      LOG.log(Level.WARNING, "after the reload from " + file.path(), e);
    }
    parts.metrics().configReloaded(true, now);
    LOG.info(
        () ->
            "configuration reloaded from "
                + file.path()
                + ": "
                + next.config().routes().size()
                + " routes; "
                + previous.inFlight()
                + " request(s) finishing on the previous configuration");
    return ok;
  }

  @Override
  public void unreadable(Path file, IOException problem) {
    unreadableFile(file, problem);
  }

  /** A reload, watched or asked for, that could not read the file. */
  private ReloadResult unreadableFile(Path file, IOException problem) {
    synchronized (reloading) {
      return rejected(
          "cannot read the configuration file "
              + file
              + " ("
              + problem
              + "); still serving the configuration loaded before",
          null);
    }
  }

  @Override
  public void looked() {
    runtimes.reap();
  }

  private ReloadResult rejected(String message, Throwable cause) {
    return rejected(message, cause, message);
  }

  /**
   * @param shown what the status pages show of the problem (the log gets {@code message})
   */
  private ReloadResult rejected(String message, Throwable cause, String shown) {
    Instant now = clock.instant();
    synchronized (lock) {
      if (closed) {
        return ReloadResult.failed(now, STOPPING); // interrupted by the stop, not the file
      }
    }
    ReloadResult failed = ReloadResult.failed(now, shown);
    status.reloaded(failed);
    parts.metrics().configReloaded(false, now);
    LOG.log(
        Level.SEVERE,
        "configuration reload rejected, still serving the previous configuration: " + message,
        cause);
    return failed;
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
    if (watcher != null) {
      watcher.close();
    }
  }
}
