package dev.gatewaywar.proxy;

import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.routing.PathRewrite;
import jakarta.servlet.ServletRequest;
import java.net.URI;
import java.util.Optional;

/**
 * Where and how the proxy servlet sends a matched request; built once per route.
 *
 * @param target the upstream base URI from the config
 * @param preserveHost send the client's {@code Host} instead of the target's
 * @param timeouts connect, read and client-body timeouts for this route
 * @param ownedHeaders the request headers the gateway writes itself on this route
 * @param upstreamSettings {@code timeouts} and {@code tls} in the upstream client's own form
 *     ({@link UpstreamClient#settingsFor})
 * @param rewrite the path the upstream gets ({@code strip_prefix}, {@code rewrite})
 * @param targets the route's targets when it has several (or checks or a breaker on its one): each
 *     request chooses among them; null for a plain {@code target:}, sent to {@code target}
 */
public record ProxyRoute(
    URI target,
    boolean preserveHost,
    TimeoutsConfig timeouts,
    OwnedHeaders ownedHeaders,
    UpstreamClient.RouteSettings upstreamSettings,
    PathRewrite rewrite,
    UpstreamTargets targets) {
  private static final String ATTRIBUTE = ProxyRoute.class.getName();

  /** {@code scheme://authority[/base]} without a trailing slash; the request path is appended. */
  public String base() {
    String s = target.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  public static Optional<ProxyRoute> from(ServletRequest request) {
    return Optional.ofNullable((ProxyRoute) request.getAttribute(ATTRIBUTE));
  }

  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }
}
