package dev.gatewaywar.apikey.internal;

import dev.gatewaywar.apikey.ApiKeyConfig.ApiKey;
import dev.gatewaywar.config.ConfigSection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code keys_file}: one {@code name sha256hex} per line; blank lines and lines starting
 * with {@code #} are skipped. A problem is reported at the block's {@code keys_file} key, naming
 * the file and its line.
 */
public final class KeysFileReader {
  /** Far more than any key list needs: a file past it is not one. */
  static final long MAX_SIZE = 16L * 1024 * 1024;

  private KeysFileReader() {}

  /** The keys of {@code file}; problems go to {@code section} (the {@code api_key} block). */
  public static List<ApiKey> read(Path file, ConfigSection section) {
    List<String> lines;
    try {
      if (Files.size(file) > MAX_SIZE) {
        section.problem("keys_file", file + " is larger than 16 MiB");
        return List.of();
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      section.problem("keys_file", "cannot read " + file + ": " + e.getClass().getSimpleName());
      return List.of();
    }
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      String problem = problemWith(parts);
      if (problem != null) {
        // the line itself is not quoted: it may hold a key pasted where its digest belongs
        section.problem("keys_file", file + " line " + (i + 1) + ": " + problem);
      } else {
        keys.add(KeyEntries.key(parts[0], parts[1]));
      }
    }
    return keys;
  }

  private static String problemWith(String[] parts) {
    if (parts.length != 2) {
      return "expected 'name sha256hex'";
    }
    return KeyEntries.nameProblem(parts[0])
        .or(() -> KeyEntries.digestProblem(parts[1]).map(p -> "the digest " + p))
        .orElse(null);
  }
}
