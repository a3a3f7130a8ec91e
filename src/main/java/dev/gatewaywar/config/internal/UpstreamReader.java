package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import java.time.Duration;

/** Reads the {@code upstream:} block and the {@code timeouts:} blocks (global and per route). */
public final class UpstreamReader {
  private UpstreamReader() {}

  public static UpstreamConfig readUpstream(YamlReader m) {
    int max = m.integer("max_connections", UpstreamConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
    int perRoute =
        m.integer(
            "max_connections_per_route",
            Math.min(max, UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_ROUTE),
            1,
            1_000_000);
    Duration idle = m.duration("idle_timeout", UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
    int perClient =
        m.integer(
            "max_connections_per_client",
            UpstreamConfig.defaultMaxConnectionsPerClient(perRoute),
            1,
            1_000_000);
    int limit = UpstreamConfig.MAX_RESPONSE_HEAD_LIMIT;
    int headers =
        m.integer("max_response_headers", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADERS, 1, 10_000);
    int line =
        m.size(
            "max_response_header_line", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEADER_LINE, 64, limit);
    int head =
        m.size("max_response_head_size", UpstreamConfig.DEFAULT_MAX_RESPONSE_HEAD_SIZE, 64, limit);
    int retryBuffer =
        m.size("retry_buffer", UpstreamConfig.DEFAULT_RETRY_BUFFER, 0, Integer.MAX_VALUE);
    UpstreamConfig u =
        new UpstreamConfig(max, perRoute, idle, perClient, headers, line, head, retryBuffer);
    m.rejectUnknownKeys();
    return u;
  }

  /** A {@code timeouts:} block; keys it does not set come from {@code inherited}. */
  public static TimeoutsConfig readTimeouts(YamlReader m, TimeoutsConfig inherited) {
    TimeoutsConfig t =
        new TimeoutsConfig(
            m.duration("connect", inherited.connect()),
            m.duration("read", inherited.read()),
            m.duration("client_body", inherited.clientBody()));
    m.rejectUnknownKeys();
    return t;
  }
}
