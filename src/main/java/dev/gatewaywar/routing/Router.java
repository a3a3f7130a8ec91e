package dev.gatewaywar.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the route for a request. Built once from the route list; immutable and thread-safe.
 *
 * <p>Exact patterns win over {@code :param} patterns, which win over prefixes, whatever their order
 * in the file; among parameterised patterns a literal segment wins over a parameter at the same
 * depth; among prefixes the longest wins. The first candidate whose methods allow the request's
 * method is taken, so {@code GET /users} and {@code POST /*} can go to different upstreams. Cost:
 * one hash lookup for exact paths, a walk of the segment tree for parameters, and one hash lookup
 * per path depth for prefixes: it does not grow with the number of routes.
 *
 * @param <V> what a route carries (the gateway keeps its compiled filter chain there)
 */
public final class Router<V> {

  /** A route as the router sees it: a pattern, the methods it takes, and its value. */
  public record Route<V>(PathPattern pattern, Set<String> methods, V value) {
    public Route {
      methods = Set.copyOf(methods);
    }

    public boolean allows(String method) {
      return methods.isEmpty() || methods.contains(method);
    }
  }

  /** The outcome of a lookup. */
  public sealed interface Lookup<V> {}

  /** A route takes the request; {@code params} holds the values of its {@code :param}s. */
  public record Found<V>(Route<V> route, Map<String, String> params) implements Lookup<V> {}

  /** No route's pattern matches the path: 404. */
  public record NotFound<V>() implements Lookup<V> {}

  /** Patterns match but no route takes this method: 405 with {@code Allow}. */
  public record MethodNotAllowed<V>(Set<String> allowed) implements Lookup<V> {}

  private final Map<String, List<Route<V>>> exact = new HashMap<>();
  private final Node<V> params = new Node<>();
  private final Map<String, List<Route<V>>> prefixes = new HashMap<>();
  private final int maxDepth;

  private Router(List<Route<V>> routes) {
    int depth = 0;
    for (Route<V> route : routes) {
      PathPattern p = route.pattern();
      depth = Math.max(depth, p.segments().size());
      switch (p.kind()) {
        case EXACT -> exact.computeIfAbsent(exactKey(p), k -> new ArrayList<>()).add(route);
        case PREFIX -> prefixes.computeIfAbsent(prefixKey(p), k -> new ArrayList<>()).add(route);
        case PARAM -> params.insert(p, 0).add(route);
      }
    }
    this.maxDepth = depth;
  }

  /** Builds a router; routes keep their file order within one pattern. */
  public static <V> Router<V> of(List<Route<V>> routes) {
    return new Router<>(routes);
  }

  /** Finds the route for {@code method} on {@code path}. */
  public Lookup<V> find(RequestPath path, String method) {
    List<Route<V>> group = exact.get(path.decoded());
    Route<V> route = first(group, method);
    if (route != null) {
      return new Found<>(route, Map.of());
    }
    List<String> segments = path.segments();
    if (segments.size() <= maxDepth) {
      String[] captured = new String[segments.size()];
      Route<V> paramRoute = params.find(segments, 0, path.trailingSlash(), method, captured);
      if (paramRoute != null) {
        return new Found<>(paramRoute, bind(paramRoute.pattern(), captured));
      }
    }
    String decoded = path.decoded();
    for (int end = prefixEnd(decoded, decoded.length());
        end >= 0;
        end = prefixEnd(decoded, end - 1)) {
      route = first(prefixes.get(decoded.substring(0, end)), method);
      if (route != null) {
        return new Found<>(route, Map.of());
      }
    }
    return notFoundOrNotAllowed(path);
  }

  /**
   * The end of the next shorter prefix key: the path itself (minus a trailing slash), then each
   * parent.
   */
  private static int prefixEnd(String path, int from) {
    if (from < 0) {
      return -1;
    }
    if (from == path.length()) {
      return path.endsWith("/") ? path.length() - 1 : path.length();
    }
    return path.lastIndexOf('/', from);
  }

  /** The slow path, only for requests that will be refused: collects what {@code Allow} lists. */
  private Lookup<V> notFoundOrNotAllowed(RequestPath path) {
    List<Route<V>> matching = new ArrayList<>();
    List<Route<V>> group = exact.get(path.decoded());
    if (group != null) {
      matching.addAll(group);
    }
    params.collect(path.segments(), 0, path.trailingSlash(), matching);
    String decoded = path.decoded();
    for (int end = prefixEnd(decoded, decoded.length());
        end >= 0;
        end = prefixEnd(decoded, end - 1)) {
      List<Route<V>> p = prefixes.get(decoded.substring(0, end));
      if (p != null) {
        matching.addAll(p);
      }
    }
    if (matching.isEmpty()) {
      return new NotFound<>();
    }
    Set<String> allowed = new TreeSet<>();
    matching.forEach(r -> allowed.addAll(r.methods()));
    return new MethodNotAllowed<>(allowed);
  }

  private static <V> Route<V> first(List<Route<V>> group, String method) {
    if (group != null) {
      for (Route<V> r : group) {
        if (r.allows(method)) {
          return r;
        }
      }
    }
    return null;
  }

  private static Map<String, String> bind(PathPattern pattern, String[] captured) {
    Map<String, String> values = new HashMap<>(4);
    List<String> segments = pattern.segments();
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      if (s.startsWith(":")) {
        values.put(s.substring(1), captured[i]);
      }
    }
    return Map.copyOf(values);
  }

  private static String exactKey(PathPattern p) {
    return p.segments().isEmpty()
        ? "/"
        : "/" + String.join("/", p.segments()) + (p.trailingSlash() ? "/" : "");
  }

  private static String prefixKey(PathPattern p) {
    return p.segments().isEmpty() ? "" : "/" + String.join("/", p.segments());
  }

  /** A node of the segment tree that holds parameterised patterns. */
  private static final class Node<V> {
    private final Map<String, Node<V>> literals = new HashMap<>();
    private Node<V> param;
    private final List<Route<V>> routes = new ArrayList<>();
    private final List<Route<V>> slashRoutes = new ArrayList<>();

    List<Route<V>> insert(PathPattern p, int depth) {
      if (depth == p.segments().size()) {
        return p.trailingSlash() ? slashRoutes : routes;
      }
      String s = p.segments().get(depth);
      Node<V> child;
      if (s.startsWith(":")) {
        if (param == null) {
          param = new Node<>();
        }
        child = param;
      } else {
        child = literals.computeIfAbsent(s, k -> new Node<>());
      }
      return child.insert(p, depth + 1);
    }

    /** Depth-first, literal before parameter, so the most specific match is found first. */
    Route<V> find(List<String> segs, int depth, boolean slash, String method, String[] captured) {
      if (depth == segs.size()) {
        return first(slash ? slashRoutes : routes, method);
      }
      String s = segs.get(depth);
      Node<V> literal = literals.get(s);
      if (literal != null) {
        Route<V> r = literal.find(segs, depth + 1, slash, method, captured);
        if (r != null) {
          return r;
        }
      }
      if (param != null) {
        captured[depth] = s;
        return param.find(segs, depth + 1, slash, method, captured);
      }
      return null;
    }

    void collect(List<String> segs, int depth, boolean slash, List<Route<V>> out) {
      if (depth == segs.size()) {
        out.addAll(slash ? slashRoutes : routes);
        return;
      }
      Node<V> literal = literals.get(segs.get(depth));
      if (literal != null) {
        literal.collect(segs, depth + 1, slash, out);
      }
      if (param != null) {
        param.collect(segs, depth + 1, slash, out);
      }
    }
  }
}
