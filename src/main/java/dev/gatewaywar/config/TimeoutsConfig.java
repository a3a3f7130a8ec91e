package dev.gatewaywar.config;

import java.time.Duration;

/**
 * {@code timeouts:} block, global or per route.
 *
 * @param connect how long to wait for the upstream's TCP (and TLS) connection
 * @param read the longest silence from the upstream, while waiting for its response head or between
 *     two reads of its body; past it the client gets 504 (or a cut-off body when the head was
 *     already sent)
 */
public record TimeoutsConfig(Duration connect, Duration read) {
  public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_READ = Duration.ofSeconds(30);
  public static final TimeoutsConfig DEFAULT = new TimeoutsConfig(DEFAULT_CONNECT, DEFAULT_READ);
}
