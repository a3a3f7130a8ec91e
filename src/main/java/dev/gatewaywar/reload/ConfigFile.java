package dev.gatewaywar.reload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One reading of the configuration file: its text, and a digest of its bytes that tells a changed
 * file from an unchanged one whatever its timestamps say (a Kubernetes ConfigMap update or an
 * atomic rename may keep or reset them).
 *
 * @param path the file as configured (symbolic links are followed when reading)
 * @param text the content, UTF-8
 * @param digest SHA-256 of the content, in hex
 */
public record ConfigFile(Path path, String text, String digest) {
  /** As large as the config loader accepts. */
  public static final long MAX_BYTES = 4 * 1024 * 1024;

  /**
   * Reads {@code path} once, following symbolic links, so the text and its digest describe the same
   * bytes even while someone writes the file.
   */
  public static ConfigFile read(Path path) throws IOException {
    if (Files.size(path) > MAX_BYTES) {
      throw new IOException("file is larger than 4 MiB");
    }
    byte[] bytes = Files.readAllBytes(path);
    return new ConfigFile(path, new String(bytes, StandardCharsets.UTF_8), digest(bytes));
  }

  /** SHA-256 of {@code bytes}, in lower-case hex: what {@link #digest()} holds. */
  public static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
