package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigSection.Item;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.MiddlewareCatalog;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.RouteTls;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.routing.PathRewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code routes:}: each route's skeleton (path, methods, targets, middleware, timeouts,
 * preserve_host, tls, strip_prefix or rewrite), its middleware's own blocks through their owners,
 * and duplicate routes.
 */
public final class RouteReader {
  private final MiddlewareCatalog catalog;
  private final MiddlewareBlocks blocks;
  private final TimeoutsConfig globalTimeouts;
  private final Set<String> upstreamHeaders = new LinkedHashSet<>();

  public RouteReader(
      MiddlewareCatalog catalog, MiddlewareBlocks blocks, TimeoutsConfig globalTimeouts) {
    this.catalog = catalog;
    this.blocks = blocks;
    this.globalTimeouts = globalTimeouts;
  }

  public List<RouteConfig> read(YamlReader doc) {
    List<RouteConfig> routes = new ArrayList<>();
    Map<String, List<RouteConfig>> byShape = new HashMap<>();
    for (YamlReader r : doc.mappingList("routes")) {
      RouteConfig route = readRoute(r);
      if (route != null && !isDuplicate(route, byShape, r)) {
        routes.add(route);
      }
    }
    return routes;
  }

  /** The request headers the middleware of the routes read so far write for the upstream. */
  public Set<String> upstreamHeaders() {
    return upstreamHeaders;
  }

  private RouteConfig readRoute(YamlReader r) {
    Optional<PathPattern> pattern = r.requiredString("path").flatMap(p -> parsePattern(p, r));
    Set<String> methods = readMethods(r);
    Optional<UpstreamSet> upstreams = TargetsReader.read(r);
    List<Item> items = r.scalarList("middleware");
    List<String> names = new ArrayList<>();
    for (Item m : items) {
      names.add(m.value().trim());
      catalog.problemWith(m.value().trim()).ifPresent(p -> r.problem(m, p));
    }
    Optional<TimeoutsConfig> timeouts =
        r.has("timeouts")
            ? Optional.of(UpstreamReader.readTimeouts(r.mapping("timeouts"), globalTimeouts))
            : Optional.empty();
    boolean preserveHost = r.bool("preserve_host", false);
    Optional<RouteTls> tls = RouteTlsReader.read(r);
    upstreams.stream()
        .flatMap(u -> u.targets().stream())
        .map(UpstreamSet.Target::url)
        .filter(t -> tls.isPresent() && !"https".equalsIgnoreCase(t.getScheme()))
        .findFirst()
        .ifPresent(t -> r.problem("tls", "applies to https targets only; target is " + t));
    PathRewrite rewrite = readRewrite(pattern, r);
    Map<String, Object> own = blocks.readOwn(r, names);
    blocks.check(items, own, r.problems());
    r.rejectUnknownKeys();
    if (pattern.isEmpty() || upstreams.isEmpty()) {
      return null;
    }
    upstreamHeaders.addAll(blocks.upstreamHeaders(names, own));
    return new RouteConfig(
        pattern.get(),
        methods,
        upstreams.get(),
        names,
        timeouts,
        preserveHost,
        own,
        tls,
        rewrite,
        r.line());
  }

  /** {@code strip_prefix} or {@code rewrite} (one at most), checked against the route's pattern. */
  private static PathRewrite readRewrite(Optional<PathPattern> path, YamlReader r) {
    boolean strip = r.has("strip_prefix");
    if (strip && r.has("rewrite")) {
      r.problem("rewrite", "set either rewrite or strip_prefix, not both");
      return PathRewrite.NONE;
    }
    String key = strip ? "strip_prefix" : "rewrite";
    String text = r.string(key, null);
    if (text == null || path.isEmpty()) {
      return PathRewrite.NONE;
    }
    PathPattern pattern = path.get();
    try {
      return key.equals("rewrite")
          ? PathRewrite.template(pattern, text.trim())
          : PathRewrite.stripPrefix(pattern, text.trim());
    } catch (IllegalArgumentException e) {
      r.problem(key, e.getMessage());
      return PathRewrite.NONE;
    }
  }

  private static Optional<PathPattern> parsePattern(String path, YamlReader r) {
    try {
      return Optional.of(PathPattern.parse(path));
    } catch (IllegalArgumentException e) {
      r.problem("path", "'" + path + "' " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Set<String> readMethods(YamlReader r) {
    Set<String> methods = new LinkedHashSet<>();
    for (Item m : r.scalarList("methods")) {
      String method = m.value().trim().toUpperCase(Locale.ROOT);
      if (!HttpTokens.isToken(method)) {
        r.problem(m, "'" + m.value() + "' is not an HTTP method");
      }
      methods.add(method);
    }
    return methods;
  }

  /**
   * Two routes are duplicates when their patterns match the same paths and they share a method (a
   * route without methods takes them all): the second could never be reached.
   */
  private static boolean isDuplicate(
      RouteConfig route, Map<String, List<RouteConfig>> byShape, YamlReader r) {
    List<RouteConfig> sameShape =
        byShape.computeIfAbsent(route.pattern().shape(), k -> new ArrayList<>());
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
