package dev.gatewaywar.apikey.internal;

import dev.gatewaywar.apikey.ApiKeyConfig.ApiKey;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What a key entry must look like, in the block's {@code keys} and in a {@code keys_file}. */
public final class KeyEntries {
  /** A consumer's name: it travels in a header and in log lines. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  private KeyEntries() {}

  /** What is wrong with {@code name} as a consumer's name, if anything. */
  public static Optional<String> nameProblem(String name) {
    return NAME.matcher(name.trim()).matches()
        ? Optional.empty()
        : Optional.of("a consumer's name is 1 to 128 of A-Z a-z 0-9 . _ : @ -");
  }

  /**
   * What is wrong with {@code hex} as a key's SHA-256, if anything. The value is never quoted: it
   * may be a key pasted where its digest belongs.
   */
  public static Optional<String> digestProblem(String hex) {
    return SHA256.matcher(hex.trim()).matches()
        ? Optional.empty()
        : Optional.of("must be the key's SHA-256 as 64 hex digits");
  }

  /** The key of {@code name} with the digest {@code hex} (either case), both checked already. */
  public static ApiKey key(String name, String hex) {
    return new ApiKey(name.trim(), hex.trim().toLowerCase(Locale.ROOT));
  }
}
