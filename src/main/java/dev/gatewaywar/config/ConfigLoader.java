package dev.gatewaywar.config;

import dev.gatewaywar.config.internal.EndpointsReader;
import dev.gatewaywar.config.internal.MiddlewareBlocks;
import dev.gatewaywar.config.internal.Problems;
import dev.gatewaywar.config.internal.RouteReader;
import dev.gatewaywar.config.internal.ServerReader;
import dev.gatewaywar.config.internal.UpstreamReader;
import dev.gatewaywar.config.internal.YamlReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
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
 *
 * <p>It reads the skeleton (server, routes, timeouts, upstream, the built-in endpoints) and hands
 * every other top-level block, and a route's own blocks, to the middleware that owns it ({@link
 * ConfigBlock}, found through the {@link MiddlewareCatalog}); a block nobody owns is an unknown
 * key.
 */
public final class ConfigLoader {
  /** The keys of the file's and of a route's skeleton, which no middleware block may take. */
  private static final Set<String> SKELETON_KEYS =
      Set.of(
          "server",
          "routes",
          "timeouts",
          "upstream",
          "metrics",
          "health",
          "admin",
          "path",
          "methods",
          "target",
          "middleware",
          "preserve_host",
          "targets",
          "balance",
          "health_check",
          "circuit_breaker",
          "retry",
          "tls",
          "rewrite",
          "strip_prefix");

  private static final int MAX_YAML_BYTES = 4 * 1024 * 1024;

  private final MiddlewareCatalog middleware;
  private final UnaryOperator<String> variables;

  /**
   * @param middleware says which middleware names routes may use
   * @param variables looks up {@code ${NAME}} references (the environment, in production)
   */
  public ConfigLoader(MiddlewareCatalog middleware, UnaryOperator<String> variables) {
    checkBlockKeys(middleware);
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
      throw new ConfigException(
          source, List.of(new ConfigProblem(line, "", "YAML: " + message + hint(message))));
    } catch (YAMLException e) {
      throw new ConfigException(
          source, List.of(new ConfigProblem(0, "", "YAML: " + e.getMessage())));
    }
  }

  /**
   * YAML parsers (SnakeYAML as others) refuse a plain value that begins with {@code :} inside
   * {@code [...]} or {@code {...}}: an IPv6 address such as {@code ::1/128} in a flow list.
   */
  private static String hint(String problem) {
    return problem.endsWith("found ':'")
        ? " (a value beginning with ':', such as the IPv6 address ::1/128, must be quoted inside"
            + " [...] or {...}: \"::1/128\"; or write the list one item per line)"
        : "";
  }

  private GatewayConfig read(YamlReader doc, String source) {
    ServerConfig server = ServerReader.read(doc.mapping("server"));
    TimeoutsConfig timeouts =
        UpstreamReader.readTimeouts(doc.mapping("timeouts"), TimeoutsConfig.DEFAULT);
    // before the routes: a route's own block inherits what it does not set from the global one
    MiddlewareBlocks blocks = MiddlewareBlocks.read(doc, middleware.blocks());
    RouteReader routes = new RouteReader(middleware, blocks, timeouts);
    List<RouteConfig> routeList = routes.read(doc);
    UpstreamConfig upstream = UpstreamReader.readUpstream(doc.mapping("upstream"));
    MetricsConfig metrics = EndpointsReader.readMetrics(doc.mapping("metrics"));
    HealthConfig health = EndpointsReader.readHealth(doc.mapping("health"));
    EndpointsReader.checkPaths(doc, metrics, health);
    AdminConfig admin = EndpointsReader.readAdmin(doc.mapping("admin"));
    EndpointsReader.checkAdminPaths(doc, admin, metrics, health);
    doc.rejectUnknownKeys();
    return new GatewayConfig(
        source,
        server,
        routeList,
        timeouts,
        upstream,
        metrics,
        health,
        admin,
        blocks.globals(),
        routes.upstreamHeaders());
  }

  /**
   * A middleware's block named like a key of the skeleton would hide it, or be hidden.
   *
   * @throws IllegalStateException naming the middleware
   */
  private static void checkBlockKeys(MiddlewareCatalog middleware) {
    Map<String, String> byKey = new HashMap<>();
    for (Map.Entry<String, ConfigBlock<?, ?>> e : middleware.blocks().entrySet()) {
      String key = e.getValue().key();
      if (SKELETON_KEYS.contains(key)) {
        throw new IllegalStateException(
            "middleware '" + e.getKey() + "' claims the configuration key '" + key + "'");
      }
      String earlier = byKey.putIfAbsent(key, e.getKey());
      if (earlier != null) {
        throw new IllegalStateException(
            "middleware '"
                + earlier
                + "' and '"
                + e.getKey()
                + "' both claim the configuration block '"
                + key
                + "'");
      }
    }
  }
}
