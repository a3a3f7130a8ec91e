package dev.gatewaywar.apikey;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code api_key:} block, top-level or a route's own.
 *
 * @param header the request header that carries the key
 * @param keys the keys listed in the block ({@code keys:})
 * @param file the keys read from {@code keys_file}, when the block names one
 */
public record ApiKeyConfig(String header, List<ApiKey> keys, Optional<KeysFile> file) {
  public static final String DEFAULT_HEADER = "X-API-Key";

  /** The header the upstream gets the accepted key's consumer name in. */
  public static final String CONSUMER_HEADER = "X-Consumer";

  public static final ApiKeyConfig DEFAULT =
      new ApiKeyConfig(DEFAULT_HEADER, List.of(), Optional.empty());

  public ApiKeyConfig {
    Objects.requireNonNull(header, "header");
    keys = List.copyOf(keys);
    Objects.requireNonNull(file, "file");
  }

  /** Every key a request may present: those of {@code keys}, then those of {@code keys_file}. */
  public List<ApiKey> allKeys() {
    List<ApiKey> all = new ArrayList<>(keys);
    file.ifPresent(f -> all.addAll(f.keys()));
    return all;
  }

  /**
   * One key, known by the SHA-256 of its text only: the configuration never holds a key itself.
   *
   * @param name the consumer's name, sent upstream as {@code X-Consumer} and logged
   * @param sha256 the key's SHA-256, 64 lower-case hex digits
   */
  public record ApiKey(String name, String sha256) {
    public ApiKey {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }

    /** The name only: a digest of a weak key is as good as the key to whoever can guess it. */
    @Override
    public String toString() {
      return "ApiKey[" + name + "]";
    }
  }

  /**
   * The keys of a {@code keys_file}, read when the configuration was loaded.
   *
   * @param path the file, as the configuration names it
   * @param keys its keys, in file order
   */
  public record KeysFile(Path path, List<ApiKey> keys) {
    public KeysFile {
      Objects.requireNonNull(path, "path");
      keys = List.copyOf(keys);
    }
  }
}
