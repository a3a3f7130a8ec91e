package dev.gatewaywar.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ReloadConfig;
import dev.gatewaywar.testing.ConfigMapDir;
import dev.gatewaywar.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on real files, changed in each of the ways operators and Kubernetes change them. */
class ConfigWatcherTest {
  /** Long enough that only file-system events (not polling) can explain a quick notice. */
  private static final ReloadConfig SLOW_POLL =
      new ReloadConfig(true, Duration.ofSeconds(30), Duration.ofMillis(50));

  private static final ReloadConfig FAST_POLL =
      new ReloadConfig(true, Duration.ofMillis(100), Duration.ofMillis(50));

  @TempDir Path dir;
  private final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
  private final AtomicInteger looks = new AtomicInteger();

  /** One permit per look at the file: absence checks wait for looks, not for the wall clock. */
  private final Semaphore looked = new Semaphore(0);

  private ConfigWatcher watcher;

  @AfterEach
  void stop() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private ConfigWatcher watch(Path file, ReloadConfig config) throws IOException {
    watcher =
        ConfigWatcher.start(
            file,
            ConfigFile.read(file).digest(),
            config,
            new ConfigWatcher.Listener() {
              @Override
              public void changed(ConfigFile f) {
                seen.add(f.text());
              }

              @Override
              public void unreadable(Path f, IOException problem) {
                seen.add(problem);
              }

              @Override
              public void looked() {
                looks.incrementAndGet();
                looked.release();
              }
            });
    return watcher;
  }

  /**
   * Waits until the watcher has looked at the file {@code n} more times (fails after 10 s), so an
   * assertion that nothing was reported follows looks that would have reported it.
   */
  private void awaitLooks(int n) throws InterruptedException {
    looked.drainPermits();
    assertTrue(looked.tryAcquire(n, 10, TimeUnit.SECONDS), "the watcher stopped looking");
  }

  private Object next() throws InterruptedException {
    Object o = seen.poll(10, TimeUnit.SECONDS);
    assertNotNull(o, "the watcher reported nothing within 10 s");
    return o;
  }

  @Test
  void anEditInPlaceIsSeenThroughDirectoryEvents() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, SLOW_POLL);

    Files.writeString(file, "two");

    assertEquals("two", next());
  }

  @Test
  void anAtomicRenameOverTheFileIsSeen() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, SLOW_POLL);

    Path temp = Files.writeString(dir.resolve(".gateway.yaml.tmp"), "two");
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertEquals("two", next());
  }

  @Test
  void aConfigMapSymlinkFlipIsSeen() throws Exception {
    Path file = ConfigMapDir.create(dir, "one");
    watch(file, SLOW_POLL);

    ConfigMapDir.update(dir, "two");

    assertEquals("two", next());
    ConfigMapDir.update(dir, "three");
    assertEquals("three", next());
  }

  @Test
  void pollingAloneFindsAChangeInATargetDirectoryNobodyWatches() throws Exception {
    // gateway.yaml is a link to a file elsewhere: events in the watched directory never come
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Path target = Files.writeString(elsewhere.resolve("real.yaml"), "one");
    Path watched = Files.createDirectory(dir.resolve("watched"));
    Path file = Files.createSymbolicLink(watched.resolve("gateway.yaml"), target);
    watch(file, FAST_POLL);

    Files.writeString(target, "two");

    assertEquals("two", next());
  }

  @Test
  void writesToOtherFilesOfTheDirectoryDoNotMakeItReadTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, SLOW_POLL);
    Path log = dir.resolve("access.log");

    for (int i = 0; i < 20; i++) {
      Files.writeString(
          log, "line " + i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Thread.sleep(20);
    }

    Thread.sleep(300);
    assertEquals(0, looks.get(), "the file was read again for events about access.log");
    Files.writeString(file, "two");
    assertEquals("two", next(), "an edit in place in a quiet directory is seen at once");
  }

  @Test
  void aBusyDirectoryIsWatchedForRenamesOnlyAndARenameIsStillSeenAtOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, SLOW_POLL);
    Path log = dir.resolve("access.log");
    try (LogCapture captured = LogCapture.of(ConfigWatcher.class)) {
      // a log written beside the configuration, one line at a time, until the watcher narrows
      for (int i = 0;
          i < 100 * ConfigWatcher.BUSY_DIRECTORY_EVENTS && !captured.contains("changes often");
          i++) {
        Files.writeString(
            log, "line " + i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Thread.sleep(1);
      }
      assertTrue(
          captured.contains("watching it for files created and deleted only"), captured.text());
      assertTrue(captured.contains("such as access.log"), captured.text());
    }
    assertEquals(0, looks.get(), "the file was read again for events about access.log");

    Path temp = Files.writeString(dir.resolve(".gateway.yaml.tmp"), "two");
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertEquals("two", next());
  }

  @Test
  void touchingWithoutChangingIsNoReload() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "same");
    watch(file, FAST_POLL);

    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    Files.writeString(file, "same");

    awaitLooks(3);
    assertNull(seen.poll());
  }

  @Test
  void aDeletedFileIsReportedOnceAndItsReturnIsAChange() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, FAST_POLL);

    Files.delete(file);
    assertTrue(next() instanceof IOException);
    awaitLooks(3);
    assertNull(seen.poll(), "reported again while still missing");

    Files.writeString(file, "two");
    assertEquals("two", next());
  }

  @Test
  void aFileStillBeingWrittenIsReadOnceItSettles() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, new ReloadConfig(true, Duration.ofSeconds(30), Duration.ofSeconds(1)));

    // three writes closer together than the debounce: only the last is reported
    Files.writeString(file, "t");
    Thread.sleep(100);
    Files.writeString(file, "tw");
    Thread.sleep(100);
    Files.writeString(file, "two");

    assertEquals("two", next());
    assertNull(seen.poll(1500, TimeUnit.MILLISECONDS));
  }

  @Test
  void closingEndsTheWatcherThread() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "one");
    watch(file, SLOW_POLL);
    assertTrue(watcherThreadAlive());

    watcher.close();

    assertFalse(watcherThreadAlive());
  }

  private static boolean watcherThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(ConfigWatcher.THREAD_NAME) && t.isAlive());
  }
}
