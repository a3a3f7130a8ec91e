package dev.gatewaywar.basicauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The users of an htpasswd file ({@code user:hash} lines, as {@code htpasswd -B} writes them), read
 * once when the configuration is loaded. Only bcrypt hashes are accepted: the file's other formats
 * (MD5-crypt {@code $apr1$}, SHA-1 {@code {SHA}}, crypt, plain text) are too fast to guess against.
 */
public record Htpasswd(Map<String, String> hashes) {
  static final Htpasswd EMPTY = new Htpasswd(Map.of());

  /** {@code $2y$}, {@code $2a$} or {@code $2b$}, a two-digit cost, 22 salt + 31 hash characters. */
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

  /**
   * @param hashes the bcrypt hash of each user
   */
  public Htpasswd {
    hashes = Map.copyOf(hashes);
  }

  /**
   * Reads {@code file}; each problem (with the file and line, never a hash) goes to {@code
   * problems}. Blank lines and lines starting with {@code #} are skipped.
   */
  public static Htpasswd read(Path file, Consumer<String> problems) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      problems.accept("cannot read " + file + ": " + e.getClass().getSimpleName());
      return EMPTY;
    }
    Map<String, String> hashes = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + " line " + (i + 1) + ": ";
      int colon = line.indexOf(':');
      if (colon <= 0) {
        problems.accept(where + "not a user:hash line");
        continue;
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      if (!BCRYPT.matcher(hash).matches()) {
        problems.accept(
            where + "user '" + user + "' has no bcrypt hash ($2y$, $2a$, $2b$: htpasswd -B)");
      } else if (hashes.putIfAbsent(user, hash) != null) {
        problems.accept(where + "user '" + user + "' appears twice");
      }
    }
    return new Htpasswd(hashes);
  }

  /** The bcrypt hash of {@code user}, when the file has one. */
  public Optional<String> hash(String user) {
    return Optional.ofNullable(hashes.get(user));
  }

  public int size() {
    return hashes.size();
  }

  /** No hashes: the record's {@code toString} must not print them. */
  @Override
  public String toString() {
    return hashes.size() + " users";
  }
}
