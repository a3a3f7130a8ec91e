package dev.gatewaywar.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out as Kubernetes mounts a ConfigMap: {@code gateway.yaml ->
 * ..data/gateway.yaml}, {@code ..data -> ..2026_11_25_...N} (a timestamped directory holding the
 * real file). An update writes a new timestamped directory, points a new link at it, renames that
 * link over {@code ..data} in one atomic step, and deletes the old directory, as the kubelet's
 * AtomicWriter does.
 */
public final class ConfigMapDir {
  private static final AtomicInteger VERSION = new AtomicInteger();

  private ConfigMapDir() {}

  /**
   * Lays out {@code dir} with {@code content}; returns the path to configure ({@code
   * gateway.yaml}).
   */
  public static Path create(Path dir, String content) throws IOException {
    Path version = writeVersion(dir, content);
    Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
    return Files.createSymbolicLink(dir.resolve("gateway.yaml"), Path.of("..data/gateway.yaml"));
  }

  /** Flips {@code ..data} to a new version holding {@code content}. */
  public static void update(Path dir, String content) throws IOException {
    Path old = dir.resolve("..data").toRealPath();
    Path version = writeVersion(dir, content);
    Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), version.getFileName());
    Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(old.resolve("gateway.yaml"));
    Files.delete(old);
  }

  private static Path writeVersion(Path dir, String content) throws IOException {
    Path version =
        Files.createDirectory(dir.resolve("..2026_11_25_18_00_00." + VERSION.incrementAndGet()));
    Files.writeString(version.resolve("gateway.yaml"), content);
    return version;
  }
}
