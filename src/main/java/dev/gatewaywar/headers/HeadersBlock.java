package dev.gatewaywar.headers;

import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.InheritingBlock;
import dev.gatewaywar.proxy.HopByHopHeaders;
import dev.gatewaywar.proxy.OwnedHeaders;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The {@code headers:} blocks. A route's own block inherits what it does not set, key by key
 * ({@code request.set}, {@code response.remove}...). Names the request side sets are the gateway's
 * on every route, so no client can pass a forged copy through a route without the middleware.
 */
public final class HeadersBlock extends InheritingBlock<HeadersConfig> {
  public static final HeadersBlock INSTANCE = new HeadersBlock();

  private static final HopByHopHeaders HOP_BY_HOP = HopByHopHeaders.of(List.of());

  private HeadersBlock() {
    super("headers", HeadersConfig.DEFAULT);
  }

  @Override
  protected HeadersConfig read(ConfigSection s, HeadersConfig inherited) {
    return new HeadersConfig(
        edits(s.section("request"), inherited.request(), true),
        edits(s.section("response"), inherited.response(), false));
  }

  /**
   * Templates reading a verified token need {@code auth} earlier in the route, and those reading
   * the request id need {@code request_id}: later (or absent) they would always be empty.
   */
  @Override
  public void checkRoute(
      List<String> middleware,
      HeadersConfig global,
      Optional<HeadersConfig> own,
      Consumer<String> refuse) {
    List<HeaderTemplate> templates = own.orElse(global).templates();
    List<String> before =
        middleware.subList(0, Math.max(0, middleware.indexOf(HeadersMiddleware.NAME)));
    if (templates.stream().anyMatch(t -> t.uses(HeaderTemplate.Kind.CLAIM))
        && !before.contains("auth")) {
      refuse.accept("a ${claim.NAME} value reads a verified token: list auth before headers");
    }
    if (templates.stream().anyMatch(t -> t.uses(HeaderTemplate.Kind.REQUEST_ID))
        && !before.contains("request_id")) {
      refuse.accept("a ${request_id} value needs request_id listed before headers");
    }
  }

  @Override
  public Set<String> upstreamHeaders(HeadersConfig global, Optional<HeadersConfig> own) {
    Set<String> names = new LinkedHashSet<>();
    own.orElse(global).request().set().forEach(h -> names.add(h.name()));
    return names;
  }

  private static HeaderEdits edits(ConfigSection s, HeaderEdits inherited, boolean request) {
    List<HeaderEdits.Header> set = s.has("set") ? templates(s, "set", request) : inherited.set();
    List<HeaderEdits.Header> add = s.has("add") ? templates(s, "add", request) : inherited.add();
    List<String> remove = inherited.remove();
    if (s.has("remove")) {
      remove = new ArrayList<>();
      Set<String> named = names(set, add);
      for (ConfigSection.Item item : s.scalarList("remove")) {
        String name = item.value().trim();
        Optional<String> problem = problemWith(name, request);
        if (problem.isPresent()) {
          s.problem(item, problem.get());
        } else if (named.contains(name)) {
          s.problem(item, name + " is also set or added here: remove it from one");
        } else {
          remove.add(name);
        }
      }
    }
    return new HeaderEdits(set, add, remove);
  }

  private static List<HeaderEdits.Header> templates(ConfigSection s, String key, boolean request) {
    List<HeaderEdits.Header> headers = new ArrayList<>();
    Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, ConfigSection.Item> e :
        s.templateMap(key, HeaderTemplate::isRequestVariable).entrySet()) {
      String name = e.getKey();
      Optional<String> problem = problemWith(name, request);
      if (problem.isEmpty() && !seen.add(name)) {
        problem = Optional.of(name + " appears twice (header names ignore case)");
      }
      if (problem.isPresent()) {
        s.problem(e.getValue(), problem.get());
        continue;
      }
      try {
        headers.add(new HeaderEdits.Header(name, HeaderTemplate.parse(e.getValue().value())));
      } catch (IllegalArgumentException bad) {
        s.problem(e.getValue(), bad.getMessage());
      }
    }
    return headers;
  }

  private static Set<String> names(List<HeaderEdits.Header> set, List<HeaderEdits.Header> add) {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.forEach(h -> names.add(h.name()));
    add.forEach(h -> names.add(h.name()));
    return names;
  }

  /** Why the middleware cannot touch a header of this name, if it cannot. */
  static Optional<String> problemWith(String name, boolean request) {
    if (!HttpTokens.isToken(name)) {
      return Optional.of("'" + name + "' is not a header name");
    }
    if (HOP_BY_HOP.contains(name)) {
      return Optional.of(name + " is a hop-by-hop header: it cannot be set, added or removed");
    }
    if (name.equalsIgnoreCase("Content-Length")) {
      return Optional.of("Content-Length frames the body: it cannot be set, added or removed");
    }
    if (request && name.equalsIgnoreCase("Host")) {
      return Optional.of("Host cannot be changed here (see the route's preserve_host)");
    }
    if (request && OwnedHeaders.FORWARDED.stream().anyMatch(name::equalsIgnoreCase)) {
      return Optional.of(name + " is written by the gateway itself");
    }
    return Optional.empty();
  }
}
