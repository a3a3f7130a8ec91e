package dev.gatewaywar.config;

import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.routing.PathRewrite;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code routes:}.
 *
 * @param pattern the parsed path pattern: exact ({@code /users}), parameterised ({@code
 *     /users/:id}) or prefix ({@code /files/*})
 * @param methods upper-case HTTP methods; empty means every method
 * @param upstreams the route's target or targets ({@code target:} or {@code targets:}) and how
 *     requests are spread over them
 * @param middleware filter names in chain order
 * @param timeouts this route's own timeouts, when it sets any (unset keys inherit the global ones)
 * @param preserveHost send the client's {@code Host} header upstream instead of the target's
 * @param blocks the route's own middleware blocks, by {@link ConfigBlock#key()}: each the value its
 *     block's {@link ConfigBlock#readRoute} returned
 * @param tls the route's own TLS settings for its https target ({@code tls:}), if it has any
 * @param rewrite how the path sent upstream differs from the request's ({@code strip_prefix} or
 *     {@code rewrite}); {@link PathRewrite#NONE} when it does not
 * @param line the line of the route in the file, for messages
 */
public record RouteConfig(
    PathPattern pattern,
    Set<String> methods,
    UpstreamSet upstreams,
    List<String> middleware,
    Optional<TimeoutsConfig> timeouts,
    boolean preserveHost,
    Map<String, Object> blocks,
    Optional<RouteTls> tls,
    PathRewrite rewrite,
    int line) {

  public RouteConfig {
    methods = Set.copyOf(methods);
    middleware = List.copyOf(middleware);
    blocks = Map.copyOf(blocks);
  }

  /** A route without middleware blocks, TLS settings or a path rewrite of its own. */
  public RouteConfig(
      String path,
      Set<String> methods,
      URI target,
      List<String> middleware,
      Optional<TimeoutsConfig> timeouts,
      boolean preserveHost,
      int line) {
    this(
        PathPattern.parse(path),
        methods,
        UpstreamSet.single(target),
        middleware,
        timeouts,
        preserveHost,
        Map.of(),
        Optional.empty(),
        PathRewrite.NONE,
        line);
  }

  /** The first target's base URI: the route's only one unless it lists {@code targets:}. */
  public URI target() {
    return upstreams.targets().get(0).url();
  }

  /** The pattern as written in the file ({@code /users/:id}). */
  public String path() {
    return pattern.text();
  }

  /** True when this route accepts {@code method}. */
  public boolean allows(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  /** The route's own settings for {@code block}, when it has a block of its own. */
  @SuppressWarnings("unchecked") // the loader stored what this block's readRoute returned
  public <R> Optional<R> own(ConfigBlock<?, R> block) {
    return Optional.ofNullable((R) blocks.get(block.key()));
  }
}
