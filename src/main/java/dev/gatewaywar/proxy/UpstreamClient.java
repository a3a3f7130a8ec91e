package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.internal.ApacheUpstreamClient;

/**
 * Sends requests to upstream services over pooled keep-alive connections, streaming bodies both
 * ways. The seam in front of the HTTP library (Apache HttpClient 5).
 */
public interface UpstreamClient extends AutoCloseable {

  /**
   * Sends {@code request} and returns once the upstream's status and headers have arrived.
   *
   * @throws UpstreamException classified as unreachable, timed out, protocol failure, or the
   *     client's body failing mid-upload
   */
  UpstreamResponse send(UpstreamRequest request) throws UpstreamException;

  @Override
  void close();

  /** The production client: redirects not followed, cookies not kept, bodies not decompressed. */
  static UpstreamClient of(UpstreamConfig config) {
    return new ApacheUpstreamClient(config);
  }
}
