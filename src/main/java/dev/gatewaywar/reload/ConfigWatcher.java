package dev.gatewaywar.reload;

import dev.gatewaywar.config.ReloadConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches one configuration file on a daemon thread of its own ({@value #THREAD_NAME}) and tells a
 * {@link Listener} when its content changed.
 *
 * <p>Two ways of noticing, because neither alone is enough: the file's directory is watched for
 * file-system events, which makes a change visible at once on a local disk; and every {@code
 * interval} the file is read and its digest compared with the last one, which catches what events
 * miss (network and overlay file systems, a symbolic link whose target lives in another directory).
 * Watching the directory rather than the file is what makes the two usual ways of replacing a file
 * visible: {@code mv new gateway.yaml} replaces the directory entry, and a Kubernetes ConfigMap
 * update replaces the {@code ..data} link beside it; a watch on the old file would see neither.
 * Comparing content, not timestamps, means a touched but unchanged file is no reload and a swapped
 * file with an old timestamp is one.
 *
 * <p>A change is reported once the file has stayed the same for {@code debounce}, so a file written
 * in several steps is not read half-written. A file that cannot be read (deleted, between a delete
 * and a create, unreadable) is reported once per such spell, through {@link Listener#unreadable}.
 */
public final class ConfigWatcher implements AutoCloseable {
  /** The watcher thread's name, as thread dumps and Tomcat's leak reports show it. */
  public static final String THREAD_NAME = "gateway-config-watch";

  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  /**
   * How long {@link #close} waits for a reload in progress (it may be fetching an OIDC key set).
   */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Gives up waiting for a file that never stops changing, and reads what is there. */
  private static final int MAX_SETTLE_ROUNDS = 25;

  private static final String UNREADABLE = "unreadable";

  /** What the watcher reports; called on the watcher's thread, one call at a time. */
  public interface Listener {
    /** The file has new content, unchanged for the debounce time. */
    void changed(ConfigFile file);

    /** The file cannot be read; the current configuration stays. Once per such spell. */
    void unreadable(Path file, IOException problem);

    /** After every look at the file, changed or not: housekeeping that needs a regular beat. */
    default void looked() {}
  }

  private final Path file;
  private final ReloadConfig config;
  private final Listener listener;
  private final Thread thread;
  private volatile boolean closed;
  private volatile WatchService events;
  private String lastDigest;

  private ConfigWatcher(Path file, String digest, ReloadConfig config, Listener listener) {
    this.file = file.toAbsolutePath().normalize();
    this.lastDigest = digest;
    this.config = config;
    this.listener = listener;
    this.thread = new Thread(this::run, THREAD_NAME);
    thread.setDaemon(true);
  }

  /**
   * Starts watching {@code file}.
   *
   * @param digest the digest of the content in use ({@link ConfigFile#digest()}), so a change made
   *     between loading and watching is not missed
   */
  public static ConfigWatcher start(
      Path file, String digest, ReloadConfig config, Listener listener) {
    ConfigWatcher w =
        new ConfigWatcher(
            file, Objects.requireNonNull(digest), config, Objects.requireNonNull(listener));
    w.events = w.openEvents();
    w.thread.start();
    return w;
  }

  /** The file watched, absolute. */
  public Path file() {
    return file;
  }

  private void run() {
    try {
      while (!closed) {
        awaitEventOrInterval();
        if (closed) {
          return;
        }
        look();
        try {
          listener.looked();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "configuration watcher housekeeping failed", e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException stopping) {
      // close() was called
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "configuration watcher for " + file + " stopped: reload is off", e);
    }
  }

  /** Waits for a file-system event in the directory, or for the interval to pass. */
  private void awaitEventOrInterval() throws InterruptedException {
    WatchService watch = events;
    if (watch == null) {
      Thread.sleep(config.interval().toMillis());
      return;
    }
    WatchKey key = watch.poll(config.interval().toMillis(), TimeUnit.MILLISECONDS);
    if (key != null) {
      // which entry changed does not matter: the file's content decides
      key.pollEvents();
      if (!key.reset()) {
        LOG.warning(
            () ->
                "cannot watch "
                    + file.getParent()
                    + " any more; checking "
                    + file
                    + " every "
                    + config.interval().toMillis()
                    + " ms only");
        closeEvents();
      }
    }
  }

  private void look() throws InterruptedException {
    Reading now = Reading.of(file);
    if (now.digest().equals(lastDigest)) {
      return;
    }
    for (int round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      Thread.sleep(config.debounce().toMillis());
      Reading again = Reading.of(file);
      if (again.digest().equals(now.digest())) {
        break;
      }
      now = again;
    }
    if (now.digest().equals(lastDigest)) {
      return; // caught mid-write (truncated, then the same content again): nothing changed
    }
    lastDigest = now.digest();
    try {
      if (now.file() != null) {
        listener.changed(now.file());
      } else {
        listener.unreadable(file, now.problem());
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "handling a change of " + file + " failed", e);
    }
  }

  /** The file's content, or why it could not be read. */
  private record Reading(ConfigFile file, IOException problem) {
    static Reading of(Path path) {
      try {
        return new Reading(ConfigFile.read(path), null);
      } catch (IOException e) {
        return new Reading(null, e);
      }
    }

    String digest() {
      return file == null ? UNREADABLE : file.digest();
    }
  }

  /**
   * A watch on the file's directory; null when the file system offers none, and polling alone has
   * to do. The JDK starts a thread of its own for it: it is started with no context class loader of
   * the webapp's, so it never pins the webapp's classes (it ends when {@link #close} closes the
   * watch service).
   */
  private WatchService openEvents() {
    Thread current = Thread.currentThread();
    ClassLoader loader = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    WatchService watch = null;
    try {
      watch = FileSystems.getDefault().newWatchService();
      file.getParent()
          .register(
              watch,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
      return watch;
    } catch (IOException | UnsupportedOperationException e) {
      LOG.info(
          () ->
              "no file-system events for "
                  + file.getParent()
                  + " ("
                  + e
                  + "); checking "
                  + file
                  + " every "
                  + config.interval().toMillis()
                  + " ms");
      if (watch != null) {
        try {
          watch.close();
        } catch (IOException ignored) {
          // it was not working anyway
        }
      }
      return null;
    } finally {
      current.setContextClassLoader(loader);
    }
  }

  private void closeEvents() {
    WatchService watch = events;
    events = null;
    if (watch != null) {
      try {
        watch.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "closing the watch service", e);
      }
    }
  }

  /**
   * Stops watching and waits for the watcher thread to end (a reload in progress is interrupted and
   * its result discarded by the listener).
   */
  @Override
  public void close() {
    closed = true;
    closeEvents();
    thread.interrupt();
    try {
      thread.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warning(() -> THREAD_NAME + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
    }
  }
}
