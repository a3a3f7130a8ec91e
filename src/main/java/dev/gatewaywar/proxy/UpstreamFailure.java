package dev.gatewaywar.proxy;

import dev.gatewaywar.api.GatewayError;

/** Why an upstream exchange failed, and what the client is told. */
public enum UpstreamFailure {
  /** The upstream refused or reset the connection, or its name did not resolve: 502. */
  UNREACHABLE(GatewayError.BAD_GATEWAY),
  /** No connection within {@code timeouts.connect}: 504. */
  CONNECT_TIMEOUT(GatewayError.GATEWAY_TIMEOUT),
  /** No byte within {@code timeouts.read}: 504. */
  READ_TIMEOUT(GatewayError.GATEWAY_TIMEOUT),
  /**
   * Every pooled connection to this upstream ({@code upstream.max_connections_per_route}, or all
   * {@code max_connections}) stayed busy for {@code timeouts.connect}: 503.
   */
  POOL_EXHAUSTED(GatewayError.SERVICE_UNAVAILABLE),
  /**
   * The client's address already has {@code upstream.max_connections_per_client} requests in flight
   * to this upstream: 503 for this one, at once, while other clients are served.
   */
  CLIENT_SHARE_EXHAUSTED(GatewayError.SERVICE_UNAVAILABLE),
  /** Any other I/O or protocol failure on the upstream side: 502. */
  PROTOCOL(GatewayError.BAD_GATEWAY),
  /** The client's side failed (it went away mid-upload): nobody is left to answer. */
  CLIENT_ABORTED(GatewayError.BAD_REQUEST),
  /** The client sent no byte of its body for {@code timeouts.client_body}: 408. */
  CLIENT_BODY_TIMEOUT(GatewayError.REQUEST_TIMEOUT),
  /** The client's body grew past the route's {@code body_limit}: 413. */
  CLIENT_BODY_TOO_LARGE(GatewayError.PAYLOAD_TOO_LARGE);

  private final GatewayError error;

  UpstreamFailure(GatewayError error) {
    this.error = error;
  }

  public GatewayError error() {
    return error;
  }
}
