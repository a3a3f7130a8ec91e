package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.internal.ApacheUpstreamClient;

/**
 * Sends requests to upstream services over pooled keep-alive connections, streaming bodies both
 * ways, without a thread waiting for the answer: it arrives at an {@link UpstreamHandler} on the
 * client's I/O threads. The seam in front of the HTTP library (Apache HttpClient 5, async).
 */
public interface UpstreamClient extends AutoCloseable {

  /**
   * Starts the exchange and returns once the request is on its way: at once for a request without a
   * body, after the client's body has been handed on (streamed, blocking the caller while the
   * upstream is slower than the client) for one with a body. Everything after that, the answer or a
   * failure classified as unreachable, timed out, protocol failure or the client's body failing
   * mid-upload, reaches {@code handler}.
   */
  void send(UpstreamRequest request, UpstreamHandler handler);

  @Override
  void close();

  /** The production client: redirects not followed, cookies not kept, bodies not decompressed. */
  static UpstreamClient of(UpstreamConfig config) {
    return new ApacheUpstreamClient(config);
  }
}
