package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.proxy.UpstreamResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * {@link UpstreamClient} on Apache HttpClient 5 (classic, blocking I/O), used directly. It replaced
 * Jersey's client on the same HttpClient (the apache5 connector): Jersey added per request an
 * injection scope, property and header maps, message formatting for warnings nobody logged and a
 * buffered stream wrapper (an 8 KiB buffer per response: the largest allocation site); dropping it
 * cut the proxy's CPU time per request by a quarter (README, Performance). Configured as a proxy
 * needs: no redirects followed, no cookies kept, no transparent decompression, no retries, no
 * User-Agent of its own; headers and body framing as the client sent them.
 *
 * <p>Waiting for a pooled connection is bounded by the route's connect timeout (HttpClient's own
 * default is 3 minutes): when one upstream holds all its {@code max_connections_per_route}
 * connections, its further requests get a 503 after that time instead of hanging, and other
 * upstreams are unaffected.
 */
public final class ApacheUpstreamClient implements UpstreamClient {
  private final PoolingHttpClientConnectionManager pool;
  private final CloseableHttpClient client;

  /** One {@link RequestConfig} per route's timeouts, built on first use (routes are few). */
  private final Map<TimeoutsConfig, RequestConfig> requestConfigs = new ConcurrentHashMap<>();

  public ApacheUpstreamClient(UpstreamConfig config) {
    this.pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(config.maxConnections())
            .setMaxConnPerRoute(config.maxConnectionsPerRoute())
            // LAX: per-route locks instead of one pool-wide lock, so a crowd waiting for a slow
            // upstream's connections does not contend with the requests of fast ones
            .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    // a pooled connection the upstream closed while idle is detected before reuse
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .build();
    this.client =
        HttpClients.custom()
            .setConnectionManager(pool)
            .disableContentCompression()
            .disableDefaultUserAgent()
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAutomaticRetries()
            .disableAuthCaching()
            // no per-request user token (TLS principal) to match pooled connections against
            .disableConnectionState()
            .evictIdleConnections(
                TimeValue.of(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
            .build();
  }

  @Override
  public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
    HttpUriRequestBase proxyRequest = new HttpUriRequestBase(request.method(), request.uri());
    for (Map.Entry<String, String> h : request.headers()) {
      proxyRequest.addHeader(h.getKey(), h.getValue());
    }
    ClientBody body = null;
    // An empty body is sent as none: HttpClient then writes "Content-Length: 0" itself for POST,
    // PUT and PATCH. A body of unknown length (-1) goes chunked; a known one keeps its length.
    // The entity has no Content-Type of its own: the client's header, copied above, is the one.
    if (request.body() != null && request.contentLength() != 0) {
      body = new ClientBody(request.body());
      proxyRequest.setEntity(new ClientBodyEntity(body, request.contentLength()));
    }
    proxyRequest.setConfig(requestConfigs.computeIfAbsent(request.timeouts(), this::configFor));
    try {
      CloseableHttpResponse response =
          client.execute(null, proxyRequest, HttpClientContext.create());
      return new ApacheUpstreamResponse(proxyRequest, response);
    } catch (IOException | RuntimeException e) {
      proxyRequest.cancel();
      throw new UpstreamException(classify(e, body), e);
    }
  }

  private RequestConfig configFor(TimeoutsConfig timeouts) {
    Timeout connect = Timeout.ofMilliseconds(Math.max(1, timeouts.connect().toMillis()));
    return RequestConfig.custom()
        .setConnectionRequestTimeout(connect)
        .setConnectTimeout(connect)
        .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, timeouts.read().toMillis())))
        .setRedirectsEnabled(false)
        .build();
  }

  static UpstreamFailure classify(Throwable e, ClientBody body) {
    if (body != null && body.failed()) {
      return UpstreamFailure.CLIENT_ABORTED;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionRequestTimeoutException) {
        return UpstreamFailure.POOL_EXHAUSTED;
      }
      if (t instanceof ConnectTimeoutException) {
        return UpstreamFailure.CONNECT_TIMEOUT;
      }
      if (t instanceof SocketTimeoutException) {
        return UpstreamFailure.READ_TIMEOUT;
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException) {
        return UpstreamFailure.UNREACHABLE;
      }
    }
    return UpstreamFailure.PROTOCOL;
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      // closing the pool below releases the sockets either way
    }
    pool.close();
  }
}
