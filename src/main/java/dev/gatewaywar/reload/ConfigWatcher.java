package dev.gatewaywar.reload;

import dev.gatewaywar.config.ReloadConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
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
 * <p>Events about other entries of the directory are passed over without reading the file. A
 * directory where they keep coming (an access log written beside the configuration: one event per
 * line) is then watched for entries created and deleted only, which still covers renames and
 * ConfigMap flips: the JDK's watch thread would otherwise wake for every line written, which cost a
 * proxied request a tenth of its CPU (bench/README section 12); an edit in place is then seen at
 * the next interval.
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

  /**
   * Events about other entries within one interval beyond which the directory is watched for
   * entries created and deleted only. A person editing files beside the configuration stays well
   * under it; a log written there passes it within a second.
   */
  static final int BUSY_DIRECTORY_EVENTS = 100;

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
  private final Set<Path> names;
  private final ReloadConfig config;
  private final Listener listener;
  private final Thread thread;
  private volatile boolean closed;
  private volatile WatchService events;
  private boolean createdAndDeletedOnly;
  private String lastDigest;

  private ConfigWatcher(Path file, String digest, ReloadConfig config, Listener listener) {
    this.file = file.toAbsolutePath().normalize();
    this.names = namesConcerningTheFile(this.file);
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

  /**
   * Waits for a file-system event that may concern the file, or for the interval to pass. Events
   * about other entries of the directory are passed over.
   */
  private void awaitEventOrInterval() throws InterruptedException {
    long deadline = System.nanoTime() + config.interval().toNanos();
    int otherEntries = 0;
    String another = null;
    for (WatchService watch = events; watch != null; watch = events) {
      long left = deadline - System.nanoTime();
      WatchKey key = left > 0 ? watch.poll(left, TimeUnit.NANOSECONDS) : null;
      if (key == null) {
        return; // the interval has passed
      }
      boolean concernsFile = false;
      for (WatchEvent<?> event : key.pollEvents()) {
        if (concernsFile(event)) {
          concernsFile = true;
        } else {
          otherEntries += event.count();
          another = String.valueOf(event.context());
        }
      }
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
        return;
      }
      if (concernsFile) {
        return;
      }
      if (otherEntries > BUSY_DIRECTORY_EVENTS && !createdAndDeletedOnly) {
        watchCreatedAndDeletedOnly(watch, otherEntries, another);
      }
    }
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
  }

  /**
   * True when {@code event} may mean the file changed: it names the file (or the file a link of the
   * same directory points to), a Kubernetes ConfigMap entry ({@code ..data} and its timestamped
   * directories), or events were lost.
   */
  private boolean concernsFile(WatchEvent<?> event) {
    if (!(event.context() instanceof Path entry)) {
      return true; // OVERFLOW: events were dropped, any of them may have been ours
    }
    return names.contains(entry) || entry.toString().startsWith("..");
  }

  /** The file's name, and that of its link's target when the target is in the same directory. */
  private static Set<Path> namesConcerningTheFile(Path file) {
    Set<Path> names = new HashSet<>();
    names.add(file.getFileName());
    try {
      Path target = file.toRealPath();
      if (target.getParent().equals(file.getParent().toRealPath())) {
        names.add(target.getFileName());
      }
    } catch (IOException e) {
      // not there (yet): its own name is all there is to watch for
    }
    return names;
  }

  private void watchCreatedAndDeletedOnly(WatchService watch, int otherEntries, String example) {
    createdAndDeletedOnly = true;
    try {
      // registering the directory again replaces what its key is interested in
      file.getParent()
          .register(
              watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
      LOG.info(
          () ->
              file.getParent()
                  + " changes often ("
                  + otherEntries
                  + " events about other files within "
                  + config.interval().toMillis()
                  + " ms, such as "
                  + example
                  + "): watching it for files created and deleted only; a rename over "
                  + file.getFileName()
                  + " is still seen at once, an edit in place within server.reload.interval");
    } catch (IOException e) {
      LOG.log(Level.FINE, "could not narrow the watch on " + file.getParent(), e);
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
