package dev.gatewaywar.config;

import java.time.Duration;

/**
 * {@code timeouts:} block, global or per route.
 *
 * @param connect how long to wait for the upstream's TCP (and TLS) connection
 * @param read the longest silence from the upstream, while waiting for its response head or between
 *     two reads of its body; past it the client gets 504 (or a cut-off body when the head was
 *     already sent)
 * @param clientBody the longest silence from a client sending a request body, while the gateway
 *     waits for its next byte; past it the client gets 408 (or, when the upstream's answer has
 *     already started, the exchange is aborted)
 */
public record TimeoutsConfig(Duration connect, Duration read, Duration clientBody) {
  public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_READ = Duration.ofSeconds(30);

  /** nginx's {@code client_body_timeout}: a client sending nothing for a minute has gone. */
  public static final Duration DEFAULT_CLIENT_BODY = Duration.ofSeconds(60);

  public static final TimeoutsConfig DEFAULT =
      new TimeoutsConfig(DEFAULT_CONNECT, DEFAULT_READ, DEFAULT_CLIENT_BODY);

  /** Connect and read timeouts with the default client-body timeout. */
  public TimeoutsConfig(Duration connect, Duration read) {
    this(connect, read, DEFAULT_CLIENT_BODY);
  }
}
