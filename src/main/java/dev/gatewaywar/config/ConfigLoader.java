package dev.gatewaywar.config;

import dev.gatewaywar.clientaddress.TrustedProxies;
import dev.gatewaywar.config.internal.Problems;
import dev.gatewaywar.config.internal.YamlReader;
import dev.gatewaywar.config.internal.YamlReader.Item;
import dev.gatewaywar.routing.PathParameters;
import dev.gatewaywar.routing.PathPattern;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    AuthConfig auth = readAuth(doc.mapping("auth"));
    // before the routes: a route's own rate_limit block inherits the keys it does not set
    RateLimitConfig rateLimit = readRateLimit(doc.mapping("rate_limit"), RateLimitConfig.DEFAULT);
    List<RouteConfig> routes = readRoutes(doc, timeouts, auth.enabled(), rateLimit);
    GatewayConfig config =
        new GatewayConfig(
            source,
            server,
            routes,
            timeouts,
            readUpstream(doc.mapping("upstream")),
            auth,
            rateLimit,
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
    List<String> trustedProxies = new ArrayList<>();
    for (Item proxy : m.scalarList("trusted_proxies")) {
      TrustedProxies.problemWith(proxy.value())
          .ifPresentOrElse(
              p -> m.problems().add(proxy.line(), proxy.path(), p),
              () -> trustedProxies.add(proxy.value().trim()));
    }
    Duration drain = m.duration("drain_timeout", ServerConfig.DEFAULT_DRAIN_TIMEOUT);
    ReloadConfig reload = readReload(m.mapping("reload"));
    PathParameters pathParameters =
        choice(m, "path_parameters", PathParameters.class, PathParameters.DEFAULT);
    boolean underscores =
        m.bool("underscores_in_headers", ServerConfig.DEFAULT_UNDERSCORES_IN_HEADERS);
    m.rejectUnknownKeys();
    return new ServerConfig(port, trustedProxies, drain, reload, pathParameters, underscores);
  }

  private static ReloadConfig readReload(YamlReader m) {
    Duration interval = m.duration("interval", ReloadConfig.DEFAULT_INTERVAL);
    if (interval.compareTo(ReloadConfig.MIN_INTERVAL) < 0) {
      problemAt(m, "interval", "must be at least " + ReloadConfig.MIN_INTERVAL.toMillis() + "ms");
      interval = ReloadConfig.MIN_INTERVAL;
    }
    ReloadConfig r =
        new ReloadConfig(
            m.bool("enabled", ReloadConfig.DEFAULT.enabled()),
            interval,
            m.duration("debounce", ReloadConfig.DEFAULT_DEBOUNCE));
    m.rejectUnknownKeys();
    return r;
  }

  private static TimeoutsConfig readTimeouts(YamlReader m, TimeoutsConfig inherited) {
    TimeoutsConfig t =
        new TimeoutsConfig(
            m.duration("connect", inherited.connect()),
            m.duration("read", inherited.read()),
            m.duration("client_body", inherited.clientBody()));
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
    Duration idle = m.duration("idle_timeout", UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
    int perClient =
        m.integer(
            "max_connections_per_client",
            UpstreamConfig.defaultMaxConnectionsPerClient(perRoute),
            1,
            1_000_000);
    int limit = UpstreamConfig.MAX_RESPONSE_HEAD_LIMIT;
    int headers =
        m.integer("max_response_headers", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADERS, 1, 10_000);
    int line =
        m.size(
            "max_response_header_line", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADER_LINE, 64, limit);
    int head =
        m.size("max_response_head_size", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEAD_SIZE, 64, limit);
    UpstreamConfig u = new UpstreamConfig(max, perRoute, idle, perClient, headers, line, head);
    m.rejectUnknownKeys();
    return u;
  }

  private static AuthConfig readAuth(YamlReader m) {
    int problemsBefore = m.problems().size();
    boolean enabled = m.bool("enabled", false);
    String type = m.string("type", AuthConfig.DEFAULT_TYPE).trim().toLowerCase(Locale.ROOT);
    if (!AuthConfig.TYPES.contains(type)) {
      m.problems()
          .add(
              m.value("type").orElse(m.node()),
              m.keyPath("type"),
              "must be jwt, keycloak or oidc; was '" + type + "'");
      type = AuthConfig.DEFAULT_TYPE;
    }
    List<String> algorithms = new ArrayList<>();
    for (Item a : m.scalarList("algorithms")) {
      String alg = a.value().trim().toUpperCase(Locale.ROOT);
      if (AuthConfig.ALGORITHMS.contains(alg)) {
        algorithms.add(alg);
      } else {
        m.problems()
            .add(
                a.line(),
                a.path(),
                "'"
                    + a.value()
                    + "' is not an accepted algorithm (one of "
                    + String.join(", ", new java.util.TreeSet<>(AuthConfig.ALGORITHMS))
                    + ")");
      }
    }
    AuthConfig a =
        new AuthConfig(
            enabled,
            type,
            m.string("secret", ""),
            algorithms,
            readPublicKey(m),
            optionalUrl(m, "jwks_url"),
            nonBlank(m.string("issuer", "")),
            values(m.scalarList("audience")),
            values(m.scalarList("required_claims")),
            m.duration("clock_skew", AuthConfig.DEFAULT_CLOCK_SKEW),
            nonBlank(m.string("client_id", "")),
            m.has("introspection")
                ? Optional.of(readIntrospection(m.mapping("introspection")))
                : Optional.empty(),
            m.duration("jwks_refresh", AuthConfig.DEFAULT_JWKS_REFRESH),
            m.duration("fetch_timeout", AuthConfig.DEFAULT_FETCH_TIMEOUT));
    if (a.usesDiscovery() && a.issuer().isPresent()) {
      optionalUrl(m, "issuer");
    }
    m.rejectUnknownKeys();
    // a key already reported (an unset ${JWT_SECRET}...) would only be reported again here
    if (enabled && m.problems().size() == problemsBefore) {
      a.problem().ifPresent(p -> m.problems().add(m.node(), m.path(), p));
    }
    return a;
  }

  /** {@code public_key} (PEM text) or the content of {@code public_key_file}. */
  private static String readPublicKey(YamlReader m) {
    String inline = m.string("public_key", "");
    if (!m.has("public_key_file")) {
      return inline;
    }
    Node at = m.value("public_key_file").get();
    String key = m.keyPath("public_key_file");
    if (!inline.isBlank()) {
      m.problems().add(at, key, "set either public_key or public_key_file, not both");
    }
    Path file = Path.of(m.string("public_key_file", "").trim());
    try {
      if (Files.size(file) > 64 * 1024) {
        m.problems().add(at, key, file + " is larger than 64 KiB: not a public key");
        return "";
      }
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | java.io.UncheckedIOException e) {
      m.problems().add(at, key, "cannot read " + file + ": " + e);
      return "";
    }
  }

  private static AuthConfig.IntrospectionConfig readIntrospection(YamlReader m) {
    Optional<URI> url = optionalUrl(m, "url");
    if (url.isEmpty() && !m.has("url")) {
      m.problems().add(m.node(), m.keyPath("url"), "is required");
    }
    AuthConfig.IntrospectionConfig i =
        new AuthConfig.IntrospectionConfig(
            url.orElse(URI.create("http://invalid")),
            m.string("client_id", ""),
            m.string("client_secret", ""),
            m.duration("cache_ttl", AuthConfig.IntrospectionConfig.DEFAULT_CACHE_TTL),
            m.bool("introspect_jwts", AuthConfig.IntrospectionConfig.DEFAULT_INTROSPECT_JWTS));
    m.rejectUnknownKeys();
    return i;
  }

  /** An http(s) URL at {@code key}, when set; a problem when it is not one. */
  private static Optional<URI> optionalUrl(YamlReader m, String key) {
    String text = m.string(key, "").trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Node at = m.value(key).orElse(m.node());
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(uri);
      }
      m.problems().add(at, m.keyPath(key), "'" + text + "' must be an http:// or https:// URL");
    } catch (URISyntaxException e) {
      m.problems().add(at, m.keyPath(key), "'" + text + "' is not a URL: " + e.getReason());
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

  /** A route's {@code auth:} block: roles, claims to forward, whether to strip Authorization. */
  private static RouteAuthConfig readRouteAuth(YamlReader m, List<String> middleware) {
    if (!middleware.contains("auth")) {
      // roles written but not enforced would be worse than an error
      m.problems()
          .add(m.node(), m.path(), "has no effect: the route's middleware does not list auth");
    }
    Map<String, String> forward = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Item> e : m.scalarMap("forward_claims").entrySet()) {
      String header = e.getValue().value().trim();
      if (!METHOD_TOKEN.matcher(header).matches()) {
        m.problems()
            .add(e.getValue().line(), e.getValue().path(), "'" + header + "' is not a header name");
      }
      forward.put(e.getKey(), header);
    }
    RouteAuthConfig a =
        new RouteAuthConfig(
            values(m.scalarList("roles")), forward, m.bool("strip_authorization", false));
    m.rejectUnknownKeys();
    return a;
  }

  /** A {@code rate_limit:} block; keys it does not set come from {@code inherited}. */
  private static RateLimitConfig readRateLimit(YamlReader m, RateLimitConfig inherited) {
    boolean enabled = m.bool("enabled", inherited.enabled());
    double rps = m.number("requests_per_second", inherited.requestsPerSecond(), 0);
    if (rps > RateLimitConfig.MAX_REQUESTS_PER_SECOND) {
      m.problems()
          .add(
              m.value("requests_per_second").orElse(m.node()),
              m.keyPath("requests_per_second"),
              "must be at most " + (long) RateLimitConfig.MAX_REQUESTS_PER_SECOND);
      rps = inherited.requestsPerSecond();
    }
    int burst = m.integer("burst", inherited.burst(), 1, Integer.MAX_VALUE);
    RateLimitConfig.Key key = inherited.key();
    if (m.has("key")) {
      try {
        key = RateLimitConfig.Key.parse(m.string("key", "address"));
      } catch (IllegalArgumentException e) {
        m.problems().add(m.value("key").get(), m.keyPath("key"), e.getMessage());
      }
    }
    RateLimitConfig.Backend backend =
        choice(m, "backend", RateLimitConfig.Backend.class, inherited.backend());
    RateLimitConfig.RedisConfig redis = inherited.redis();
    if (m.has("redis")) {
      redis = readRedis(m.mapping("redis"), redis);
    }
    if (backend == RateLimitConfig.Backend.REDIS && redis == null) {
      if (!m.has("redis")) { // else readRedis has said what is wrong with it
        problemAt(m, "backend", "needs redis.url");
      }
      backend = RateLimitConfig.Backend.LOCAL;
    }
    RateLimitConfig.OnBackendError onError =
        choice(
            m,
            "on_backend_error",
            RateLimitConfig.OnBackendError.class,
            inherited.onBackendError());
    int maxKeys = m.integer("max_keys", inherited.maxKeys(), 1, 100_000_000);
    Duration idle = m.duration("idle_timeout", inherited.idleTimeout());
    m.rejectUnknownKeys();
    return new RateLimitConfig(enabled, rps, burst, key, backend, redis, onError, maxKeys, idle);
  }

  private static RateLimitConfig.RedisConfig readRedis(
      YamlReader m, RateLimitConfig.RedisConfig inherited) {
    Duration timeout =
        m.duration(
            "timeout",
            inherited == null ? RateLimitConfig.RedisConfig.DEFAULT_TIMEOUT : inherited.timeout());
    URI url = inherited == null ? null : inherited.url();
    Optional<String> text =
        inherited == null ? m.requiredString("url") : Optional.of(m.string("url", ""));
    if (text.isPresent() && !text.get().isBlank()) {
      url = null;
      try {
        URI u = new URI(text.get().trim());
        if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
          problemAt(m, "url", "must be a redis:// or rediss:// URL");
        } else if (u.getHost() == null) {
          problemAt(m, "url", "has no host");
        } else {
          url = u;
        }
      } catch (URISyntaxException e) {
        // the message would repeat the URL, which may hold a password
        problemAt(m, "url", "is not a URL");
      }
    }
    m.rejectUnknownKeys();
    return url == null ? null : new RateLimitConfig.RedisConfig(url, timeout);
  }

  private static void problemAt(YamlReader m, String key, String message) {
    m.problems().add(m.value(key).orElse(m.node()), m.keyPath(key), message);
  }

  /** One of an enum's constants, written in lower case in the file. */
  private static <E extends Enum<E>> E choice(
      YamlReader m, String key, Class<E> type, E defaultValue) {
    String text = m.string(key, defaultValue.name()).trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(text)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    problemAt(m, key, "must be one of " + String.join(", ", names));
    return defaultValue;
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

  private List<RouteConfig> readRoutes(
      YamlReader doc,
      TimeoutsConfig globalTimeouts,
      boolean authEnabled,
      RateLimitConfig globalRateLimit) {
    List<RouteConfig> routes = new ArrayList<>();
    Map<String, List<RouteConfig>> byShape = new HashMap<>();
    for (YamlReader r : doc.mappingList("routes")) {
      RouteConfig route = readRoute(r, globalTimeouts, authEnabled, globalRateLimit);
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

  private RouteConfig readRoute(
      YamlReader r,
      TimeoutsConfig globalTimeouts,
      boolean authEnabled,
      RateLimitConfig globalRateLimit) {
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
    Item limiterItem = null;
    for (Item m : r.scalarList("middleware")) {
      String name = m.value().trim();
      names.add(name);
      if (name.equals("ratelimit")) {
        limiterItem = m;
      }
      middleware.problemWith(name).ifPresent(p -> r.problems().add(m.line(), m.path(), p));
      if (name.equals("auth") && !authEnabled) {
        // unchecked requests on a route meant to be protected: refuse, and let `check` see it
        r.problems()
            .add(
                m.line(),
                m.path(),
                "middleware 'auth' needs auth.enabled: true (with a secret or keys)");
      }
    }
    Optional<TimeoutsConfig> timeouts =
        r.has("timeouts")
            ? Optional.of(readTimeouts(r.mapping("timeouts"), globalTimeouts))
            : Optional.empty();
    boolean preserveHost = r.bool("preserve_host", false);
    RouteAuthConfig auth =
        r.has("auth") ? readRouteAuth(r.mapping("auth"), names) : RouteAuthConfig.DEFAULT;
    Optional<RateLimitConfig> rateLimit = Optional.empty();
    if (r.has("rate_limit")) {
      rateLimit = Optional.of(readRateLimit(r.mapping("rate_limit"), globalRateLimit));
      if (!names.contains("ratelimit")) {
        // a limit written down but never applied is worse than none: it looks like protection
        r.problems()
            .add(
                r.value("rate_limit").get(),
                r.keyPath("rate_limit"),
                "the route has a rate_limit block but does not list the ratelimit middleware");
      }
    }
    RateLimitConfig limits = rateLimit.orElse(globalRateLimit);
    if (limiterItem != null && limits.lacksAuthBeforeRatelimit(names)) {
      // the ratelimit middleware refuses it too, but here `check` and a reload see it, with the
      // line
      r.problems()
          .add(
              limiterItem.line(),
              limiterItem.path(),
              "rate_limit.key '"
                  + limits.key()
                  + "' reads a verified token: list auth before ratelimit");
    }
    r.rejectUnknownKeys();
    if (pattern.isEmpty() || target.isEmpty()) {
      return null;
    }
    return new RouteConfig(
        pattern.get().text(),
        methods,
        target.get(),
        names,
        timeouts,
        preserveHost,
        auth,
        rateLimit,
        r.line());
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
