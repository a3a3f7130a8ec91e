package dev.gatewaywar.auth.internal;

import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.RouteAuthConfig;
import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.ConfigSection.Item;
import dev.gatewaywar.config.HttpTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Reads the top-level {@code auth:} block and a route's own {@code auth:} block. */
public final class AuthConfigReader {
  private static final int MAX_PUBLIC_KEY_FILE = 64 * 1024;

  private AuthConfigReader() {}

  public static AuthConfig readGlobal(ConfigSection m) {
    int problemsBefore = m.problemCount();
    boolean enabled = m.bool("enabled", false);
    AuthConfig a =
        new AuthConfig(
            enabled,
            readType(m),
            m.string("secret", ""),
            readAlgorithms(m),
            readPublicKey(m),
            optionalUrl(m, "jwks_url"),
            nonBlank(m.string("issuer", "")),
            values(m.scalarList("audience")),
            values(m.scalarList("required_claims")),
            m.duration("clock_skew", AuthConfig.DEFAULT_CLOCK_SKEW),
            nonBlank(m.string("client_id", "")),
            m.has("introspection")
                ? Optional.of(readIntrospection(m.section("introspection")))
                : Optional.empty(),
            m.duration("jwks_refresh", AuthConfig.DEFAULT_JWKS_REFRESH),
            m.duration("fetch_timeout", AuthConfig.DEFAULT_FETCH_TIMEOUT));
    if (a.usesDiscovery() && a.issuer().isPresent()) {
      optionalUrl(m, "issuer");
    }
    m.rejectUnknownKeys();
    // a key already reported (an unset ${JWT_SECRET}...) would only be reported again here
    if (enabled && m.problemCount() == problemsBefore) {
      a.problem().ifPresent(m::problem);
    }
    return a;
  }

  /** A route's {@code auth:} block: roles, claims to forward, whether to strip Authorization. */
  public static RouteAuthConfig readRoute(ConfigSection m) {
    Map<String, String> forward = new LinkedHashMap<>();
    for (Map.Entry<String, Item> e : m.scalarMap("forward_claims").entrySet()) {
      String header = e.getValue().value().trim();
      if (!HttpTokens.isToken(header)) {
        m.problem(e.getValue(), "'" + header + "' is not a header name");
      }
      forward.put(e.getKey(), header);
    }
    return new RouteAuthConfig(
        values(m.scalarList("roles")), forward, m.bool("strip_authorization", false));
  }

  private static String readType(ConfigSection m) {
    String type = m.string("type", AuthConfig.DEFAULT_TYPE).trim().toLowerCase(Locale.ROOT);
    if (!AuthConfig.TYPES.contains(type)) {
      m.problem("type", "must be jwt, keycloak or oidc; was '" + type + "'");
      return AuthConfig.DEFAULT_TYPE;
    }
    return type;
  }

  private static List<String> readAlgorithms(ConfigSection m) {
    List<String> algorithms = new ArrayList<>();
    for (Item a : m.scalarList("algorithms")) {
      String alg = a.value().trim().toUpperCase(Locale.ROOT);
      if (AuthConfig.ALGORITHMS.contains(alg)) {
        algorithms.add(alg);
      } else {
        m.problem(
            a,
            "'"
                + a.value()
                + "' is not an accepted algorithm (one of "
                + String.join(", ", new TreeSet<>(AuthConfig.ALGORITHMS))
                + ")");
      }
    }
    return algorithms;
  }

  /** {@code public_key} (PEM text) or the content of {@code public_key_file}. */
  private static String readPublicKey(ConfigSection m) {
    String inline = m.string("public_key", "");
    if (!m.has("public_key_file")) {
      return inline;
    }
    if (!inline.isBlank()) {
      m.problem("public_key_file", "set either public_key or public_key_file, not both");
    }
    Path file = Path.of(m.string("public_key_file", "").trim());
    try {
      if (Files.size(file) > MAX_PUBLIC_KEY_FILE) {
        m.problem("public_key_file", file + " is larger than 64 KiB: not a public key");
        return "";
      }
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | UncheckedIOException e) {
      m.problem("public_key_file", "cannot read " + file + ": " + e);
      return "";
    }
  }

  private static AuthConfig.IntrospectionConfig readIntrospection(ConfigSection m) {
    Optional<URI> url = optionalUrl(m, "url");
    if (url.isEmpty() && !m.has("url")) {
      m.problem("url", "is required");
    }
    return new AuthConfig.IntrospectionConfig(
        url.orElse(URI.create("http://invalid")),
        m.string("client_id", ""),
        m.string("client_secret", ""),
        m.duration("cache_ttl", AuthConfig.IntrospectionConfig.DEFAULT_CACHE_TTL),
        m.bool("introspect_jwts", AuthConfig.IntrospectionConfig.DEFAULT_INTROSPECT_JWTS));
  }

  /** An http(s) URL at {@code key}, when set; a problem when it is not one. */
  private static Optional<URI> optionalUrl(ConfigSection m, String key) {
    String text = m.string(key, "").trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(uri);
      }
      m.problem(key, "'" + text + "' must be an http:// or https:// URL");
    } catch (URISyntaxException e) {
      m.problem(key, "'" + text + "' is not a URL: " + e.getReason());
    }
    return Optional.empty();
  }

  private static Optional<String> nonBlank(String s) {
    return s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }

  private static List<String> values(List<Item> items) {
    List<String> values = new ArrayList<>();
    for (Item i : items) {
      values.add(i.value().trim());
    }
    return values;
  }
}
