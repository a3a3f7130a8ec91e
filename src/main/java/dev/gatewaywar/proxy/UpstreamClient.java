package dev.gatewaywar.proxy;

import dev.gatewaywar.config.RouteTls;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.internal.ApacheUpstreamClient;
import java.util.Optional;

/**
 * Sends requests to upstream services over pooled keep-alive connections, streaming bodies both
 * ways, without a thread waiting for the answer: it arrives at an {@link UpstreamHandler} on the
 * client's I/O threads. The seam in front of the HTTP library (Apache HttpClient 5, async).
 */
public interface UpstreamClient extends AutoCloseable {

  /**
   * What this client needs to send one route's requests, in its own form: made once, when the route
   * is built, so that sending looks nothing up. Opaque outside the client; only a client of the
   * kind that made it (or one wrapping such a client) accepts it in an {@link UpstreamRequest}.
   */
  interface RouteSettings {
    /**
     * Gives back what these settings hold in the client (a route's own TLS pool and its I/O
     * threads): called once nothing will be sent with them any more, when the configuration that
     * built the route is destroyed after its last request. A pool no settings hold any more is
     * closed; one that a newer configuration's equal settings still hold is kept. Later calls do
     * nothing.
     */
    default void release() {}
  }

  /** The settings for a route with {@code timeouts}; called when the route is built. */
  default RouteSettings settingsFor(TimeoutsConfig timeouts) {
    return settingsFor(timeouts, Optional.empty());
  }

  /**
   * The settings for a route with {@code timeouts} and, for its https targets, its own {@code tls}
   * (trust, client certificate, server name); called when the route is built. Connections made with
   * one route's TLS settings are never used for requests sent with other settings. Give the
   * settings back with {@link RouteSettings#release} when their route is retired.
   */
  RouteSettings settingsFor(TimeoutsConfig timeouts, Optional<RouteTls> tls);

  /**
   * Starts the exchange and returns at once, without waiting for the upstream or the client: a
   * request with a body is sent once its body has begun ({@link RequestBody#start}), so no pooled
   * connection waits for a client that has sent nothing yet. Everything after that, the answer or a
   * failure classified as unreachable, timed out, protocol failure, the client's body failing or
   * stalling, or the client over its share of the upstream's connections, reaches {@code handler}.
   */
  void send(UpstreamRequest request, UpstreamHandler handler);

  @Override
  void close();

  /** The production client: redirects not followed, cookies not kept, bodies not decompressed. */
  static UpstreamClient of(UpstreamConfig config) {
    return new ApacheUpstreamClient(config);
  }
}
