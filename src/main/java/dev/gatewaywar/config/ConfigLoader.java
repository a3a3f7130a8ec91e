package dev.gatewaywar.config;

import dev.gatewaywar.config.internal.Problems;
import dev.gatewaywar.config.internal.YamlReader;
import dev.gatewaywar.config.internal.YamlReader.Item;
import dev.gatewaywar.routing.PathPattern;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the YAML configuration into a {@link GatewayConfig}. Strict: an unknown key, a value of the
 * wrong type, a missing target, a malformed path pattern, a duplicate route or an unusable
 * middleware name is a problem, and every problem is reported with its key and line.
 */
public final class ConfigLoader {
  private static final Pattern METHOD_TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final int MAX_YAML_BYTES = 4 * 1024 * 1024;

  private final MiddlewareCatalog middleware;
  private final UnaryOperator<String> variables;

  /**
   * @param middleware says which middleware names routes may use
   * @param variables looks up {@code ${NAME}} references (the environment, in production)
   */
  public ConfigLoader(MiddlewareCatalog middleware, UnaryOperator<String> variables) {
    this.middleware = middleware;
    this.variables = variables;
  }

  /** A loader that resolves {@code ${NAME}} from the process environment. */
  public static ConfigLoader withEnvironment(MiddlewareCatalog middleware) {
    return new ConfigLoader(middleware, System::getenv);
  }

  public GatewayConfig load(Path file) throws ConfigException {
    String text;
    try {
      if (Files.size(file) > MAX_YAML_BYTES) {
        throw new ConfigException(
            file.toString(), List.of(new ConfigProblem(0, "", "file is larger than 4 MiB")));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), List.of(new ConfigProblem(0, "", "cannot read file: " + e)));
    }
    return parse(text, file.toString());
  }

  public GatewayConfig parse(String yaml, String source) throws ConfigException {
    Problems problems = new Problems();
    Node root = compose(new StringReader(yaml), source);
    if (root == null) {
      // an empty file is far more often a failed write or a wrong path than an intent
      throw new ConfigException(
          source,
          List.of(
              new ConfigProblem(0, "", "the file is empty (write routes: [] to route nothing)")));
    }
    YamlReader doc = YamlReader.root(root, problems, variables);
    GatewayConfig config = read(doc, source);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems.list());
    }
    return config;
  }

  private static Node compose(Reader reader, String source) throws ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    options.setCodePointLimit(MAX_YAML_BYTES);
    try {
      return new Yaml(new SafeConstructor(options)).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      String message = e.getProblem() == null ? e.getMessage() : e.getProblem();
      throw new ConfigException(source, List.of(new ConfigProblem(line, "", "YAML: " + message)));
    } catch (YAMLException e) {
      throw new ConfigException(
          source, List.of(new ConfigProblem(0, "", "YAML: " + e.getMessage())));
    }
  }

  private GatewayConfig read(YamlReader doc, String source) {
    ServerConfig server = readServer(doc.mapping("server"));
    TimeoutsConfig timeouts = readTimeouts(doc.mapping("timeouts"), TimeoutsConfig.DEFAULT);
    List<RouteConfig> routes = readRoutes(doc, timeouts);
    GatewayConfig config =
        new GatewayConfig(
            source,
            server,
            routes,
            timeouts,
            readUpstream(doc.mapping("upstream")),
            readAuth(doc.mapping("auth")),
            readRateLimit(doc.mapping("rate_limit")),
            readMetrics(doc.mapping("metrics")),
            readOtel(doc.mapping("otel")),
            readLogging(doc.mapping("logging")),
            readHealth(doc.mapping("health")));
    checkEndpointPaths(doc, config);
    doc.rejectUnknownKeys();
    return config;
  }

  private static ServerConfig readServer(YamlReader m) {
    int port = m.integer("port", ServerConfig.DEFAULT_PORT, 0, 65535);
    m.rejectUnknownKeys();
    return new ServerConfig(port);
  }

  private static TimeoutsConfig readTimeouts(YamlReader m, TimeoutsConfig inherited) {
    TimeoutsConfig t =
        new TimeoutsConfig(
            m.duration("connect", inherited.connect()), m.duration("read", inherited.read()));
    m.rejectUnknownKeys();
    return t;
  }

  private static UpstreamConfig readUpstream(YamlReader m) {
    int max = m.integer("max_connections", UpstreamConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
    int perRoute =
        m.integer(
            "max_connections_per_route",
            Math.min(max, UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_ROUTE),
            1,
            1_000_000);
    UpstreamConfig u =
        new UpstreamConfig(
            max, perRoute, m.duration("idle_timeout", UpstreamConfig.DEFAULT_IDLE_TIMEOUT));
    m.rejectUnknownKeys();
    return u;
  }

  private static AuthConfig readAuth(YamlReader m) {
    AuthConfig a =
        new AuthConfig(
            m.bool("enabled", false),
            m.string("type", AuthConfig.DEFAULT_TYPE),
            m.string("secret", ""));
    m.rejectUnknownKeys();
    return a;
  }

  private static RateLimitConfig readRateLimit(YamlReader m) {
    RateLimitConfig r =
        new RateLimitConfig(
            m.bool("enabled", false),
            m.number("requests_per_second", RateLimitConfig.DEFAULT.requestsPerSecond(), 0),
            m.integer("burst", RateLimitConfig.DEFAULT.burst(), 1, Integer.MAX_VALUE));
    m.rejectUnknownKeys();
    return r;
  }

  private static MetricsConfig readMetrics(YamlReader m) {
    YamlReader p = m.mapping("prometheus");
    boolean enabled = p.bool("enabled", false);
    String path = endpointPath(p, "path", MetricsConfig.DEFAULT_PATH);
    List<Cidr> allow = new ArrayList<>();
    for (Item a : m.scalarList("allow")) {
      try {
        allow.add(Cidr.parse(a.value()));
      } catch (IllegalArgumentException e) {
        m.problems().add(a.line(), a.path(), e.getMessage());
      }
    }
    p.rejectUnknownKeys();
    m.rejectUnknownKeys();
    return new MetricsConfig(enabled, path, allow);
  }

  private static HealthConfig readHealth(YamlReader m) {
    HealthConfig h =
        new HealthConfig(
            m.bool("enabled", HealthConfig.DEFAULT.enabled()),
            endpointPath(m, "liveness_path", HealthConfig.DEFAULT_LIVENESS_PATH),
            endpointPath(m, "readiness_path", HealthConfig.DEFAULT_READINESS_PATH));
    m.rejectUnknownKeys();
    return h;
  }

  /** A built-in endpoint's path: absolute, matched exactly (no patterns). */
  private static String endpointPath(YamlReader m, String key, String defaultValue) {
    String path = m.string(key, defaultValue);
    if (!path.startsWith("/") || path.contains("*") || path.contains(":")) {
      m.problems()
          .add(
              m.value(key).orElse(m.node()),
              m.keyPath(key),
              "must start with '/' and be an exact path (no * or :), was '" + path + "'");
    }
    return path;
  }

  /** Two built-in endpoints on one path would leave one unreachable. */
  private static void checkEndpointPaths(YamlReader doc, GatewayConfig c) {
    HealthConfig h = c.health();
    if (!h.enabled()) {
      return;
    }
    if (h.livenessPath().equals(h.readinessPath())) {
      YamlReader health = doc.mapping("health");
      health
          .problems()
          .add(
              health.value("readiness_path").orElse(health.node()),
              health.keyPath("readiness_path"),
              "liveness and readiness need different paths");
    }
    String metrics = c.metrics().path();
    if (c.metrics().enabled()
        && (metrics.equals(h.livenessPath()) || metrics.equals(h.readinessPath()))) {
      YamlReader prometheus = doc.mapping("metrics").mapping("prometheus");
      prometheus
          .problems()
          .add(
              prometheus.value("path").orElse(prometheus.node()),
              prometheus.keyPath("path"),
              "'"
                  + metrics
                  + "' is also a health endpoint; the metrics and health endpoints need"
                  + " different paths");
    }
  }

  private static OtelConfig readOtel(YamlReader m) {
    OtelConfig o =
        new OtelConfig(m.bool("enabled", false), m.string("endpoint", OtelConfig.DEFAULT_ENDPOINT));
    m.rejectUnknownKeys();
    return o;
  }

  private static LoggingConfig readLogging(YamlReader m) {
    String format = m.string("format", "json").trim().toLowerCase(Locale.ROOT);
    LoggingConfig.Format f = LoggingConfig.Format.JSON;
    if (format.equals("text")) {
      f = LoggingConfig.Format.TEXT;
    } else if (!format.equals("json")) {
      m.problems()
          .add(
              m.value("format").orElse(m.node()),
              m.keyPath("format"),
              "must be json or text, was '" + format + "'");
    }
    String level = m.string("level", "info").trim().toLowerCase(Locale.ROOT);
    if (!Set.of("trace", "debug", "info", "warn", "error").contains(level)) {
      m.problems()
          .add(
              m.value("level").orElse(m.node()),
              m.keyPath("level"),
              "must be one of trace, debug, info, warn, error; was '" + level + "'");
    }
    m.rejectUnknownKeys();
    return new LoggingConfig(f, level);
  }

  private List<RouteConfig> readRoutes(YamlReader doc, TimeoutsConfig globalTimeouts) {
    List<RouteConfig> routes = new ArrayList<>();
    Map<String, List<RouteConfig>> byShape = new HashMap<>();
    for (YamlReader r : doc.mappingList("routes")) {
      RouteConfig route = readRoute(r, globalTimeouts);
      if (route == null) {
        continue;
      }
      if (isDuplicate(route, byShape, r)) {
        continue;
      }
      routes.add(route);
    }
    return routes;
  }

  private RouteConfig readRoute(YamlReader r, TimeoutsConfig globalTimeouts) {
    Optional<String> path = r.requiredString("path");
    Optional<PathPattern> pattern = Optional.empty();
    if (path.isPresent()) {
      try {
        pattern = Optional.of(PathPattern.parse(path.get()));
      } catch (IllegalArgumentException e) {
        r.problems()
            .add(
                r.value("path").get(), r.keyPath("path"), "'" + path.get() + "' " + e.getMessage());
      }
    }
    Set<String> methods = new LinkedHashSet<>();
    for (Item m : r.scalarList("methods")) {
      String method = m.value().trim().toUpperCase(Locale.ROOT);
      if (!METHOD_TOKEN.matcher(method).matches()) {
        r.problems().add(m.line(), m.path(), "'" + m.value() + "' is not an HTTP method");
      }
      methods.add(method);
    }
    Optional<URI> target = r.requiredString("target").flatMap(t -> parseTarget(t, r));
    List<String> names = new ArrayList<>();
    for (Item m : r.scalarList("middleware")) {
      String name = m.value().trim();
      names.add(name);
      middleware.problemWith(name).ifPresent(p -> r.problems().add(m.line(), m.path(), p));
    }
    Optional<TimeoutsConfig> timeouts =
        r.has("timeouts")
            ? Optional.of(readTimeouts(r.mapping("timeouts"), globalTimeouts))
            : Optional.empty();
    boolean preserveHost = r.bool("preserve_host", false);
    r.rejectUnknownKeys();
    if (pattern.isEmpty() || target.isEmpty()) {
      return null;
    }
    return new RouteConfig(
        pattern.get().text(), methods, target.get(), names, timeouts, preserveHost, r.line());
  }

  private static Optional<URI> parseTarget(String text, YamlReader r) {
    String key = r.keyPath("target");
    Node at = r.value("target").orElse(r.node());
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        r.problems().add(at, key, "'" + text + "' must be an http:// or https:// URL");
      } else if (uri.getHost() == null) {
        r.problems().add(at, key, "'" + text + "' has no host");
      } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        r.problems().add(at, key, "'" + text + "' must not have a query or fragment");
      } else if (uri.getRawUserInfo() != null) {
        r.problems().add(at, key, "'" + text + "' must not carry credentials");
      } else {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      r.problems().add(at, key, "'" + text + "' is not a URL: " + e.getReason());
    }
    return Optional.empty();
  }

  /**
   * Two routes are duplicates when their patterns match the same paths and they share a method (a
   * route without methods takes them all): the second could never be reached.
   */
  private static boolean isDuplicate(
      RouteConfig route, Map<String, List<RouteConfig>> byShape, YamlReader r) {
    List<RouteConfig> sameShape =
        byShape.computeIfAbsent(PathPattern.parse(route.path()).shape(), k -> new ArrayList<>());
    for (RouteConfig earlier : sameShape) {
      if (overlaps(earlier, route)) {
        r.problems()
            .add(
                r.line(),
                r.keyPath("path"),
                "duplicate route: '"
                    + route.path()
                    + "' for the same methods is already defined at line "
                    + earlier.line());
        return true;
      }
    }
    sameShape.add(route);
    return false;
  }

  private static boolean overlaps(RouteConfig a, RouteConfig b) {
    if (a.methods().isEmpty() || b.methods().isEmpty()) {
      return true;
    }
    for (String m : a.methods()) {
      if (b.methods().contains(m)) {
        return true;
      }
    }
    return false;
  }
}
