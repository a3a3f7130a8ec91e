package dev.gatewaywar.apikey;

import dev.gatewaywar.apikey.ApiKeyConfig.ApiKey;
import dev.gatewaywar.apikey.internal.KeyEntries;
import dev.gatewaywar.apikey.internal.KeysFileReader;
import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.InheritingBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code api_key:} blocks. A route's own block inherits the keys it does not set from the
 * top-level one: a route that sets {@code keys} and not {@code keys_file} takes its own list and
 * the top-level file. {@code keys_file} is read whenever the configuration is loaded, so a reload
 * reads it again.
 */
public final class ApiKeyBlock extends InheritingBlock<ApiKeyConfig> {
  public static final ApiKeyBlock INSTANCE = new ApiKeyBlock();

  private ApiKeyBlock() {
    super(ApiKeyMiddleware.NAME, ApiKeyConfig.DEFAULT);
  }

  @Override
  protected ApiKeyConfig read(ConfigSection m, ApiKeyConfig inherited) {
    String header = m.string("header", inherited.header()).trim();
    if (!HttpTokens.isToken(header)) {
      m.problem("header", "'" + header + "' is not a header name");
      header = inherited.header();
    }
    List<ApiKey> keys = m.has("keys") ? readKeys(m) : inherited.keys();
    Optional<ApiKeyConfig.KeysFile> file = inherited.file();
    if (m.has("keys_file")) {
      Path path = Path.of(m.string("keys_file", "").trim());
      file = Optional.of(new ApiKeyConfig.KeysFile(path, KeysFileReader.read(path, m)));
    }
    ApiKeyConfig config = new ApiKeyConfig(header, keys, file);
    Set<String> seen = new HashSet<>();
    for (ApiKey k : config.allKeys()) {
      if (!seen.add(k.sha256())) {
        m.problem("two keys have the same sha256 (consumer '" + k.name() + "')");
      }
    }
    return config;
  }

  private static List<ApiKey> readKeys(ConfigSection m) {
    List<ApiKey> keys = new ArrayList<>();
    for (ConfigSection entry : m.sectionList("keys")) {
      Optional<String> name = entry.requiredString("name");
      Optional<String> sha256 = entry.requiredString("sha256");
      Optional<String> nameProblem = name.flatMap(KeyEntries::nameProblem);
      Optional<String> digestProblem = sha256.flatMap(KeyEntries::digestProblem);
      nameProblem.ifPresent(p -> entry.problem("name", p));
      digestProblem.ifPresent(p -> entry.problem("sha256", p));
      if (name.isPresent()
          && sha256.isPresent()
          && nameProblem.isEmpty()
          && digestProblem.isEmpty()) {
        keys.add(KeyEntries.key(name.get(), sha256.get()));
      }
    }
    return keys;
  }

  /** A route whose every request would be refused is a mistake, not a policy. */
  @Override
  public void checkRoute(
      List<String> middleware,
      ApiKeyConfig global,
      Optional<ApiKeyConfig> own,
      Consumer<String> refuse) {
    if (own.orElse(global).allKeys().isEmpty()) {
      refuse.accept("middleware 'api_key' needs keys (api_key.keys or api_key.keys_file)");
    }
  }

  /**
   * {@code X-Consumer}, and the key's header: the gateway sets the one and nothing for the other,
   * so no client's copy of either reaches an upstream on any route, and a key never travels past
   * the gateway.
   */
  @Override
  public Set<String> upstreamHeaders(ApiKeyConfig global, Optional<ApiKeyConfig> own) {
    return Set.of(ApiKeyConfig.CONSUMER_HEADER, own.orElse(global).header());
  }
}
