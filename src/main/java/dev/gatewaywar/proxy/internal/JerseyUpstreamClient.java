package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.proxy.UpstreamResponse;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.util.TimeValue;
import org.glassfish.jersey.apache5.connector.Apache5ClientProperties;
import org.glassfish.jersey.apache5.connector.Apache5ConnectionClosingStrategy;
import org.glassfish.jersey.apache5.connector.Apache5ConnectorProvider;
import org.glassfish.jersey.apache5.connector.Apache5HttpClientBuilderConfigurator;
import org.glassfish.jersey.client.ClientConfig;
import org.glassfish.jersey.client.ClientProperties;
import org.glassfish.jersey.client.JerseyClientBuilder;
import org.glassfish.jersey.client.RequestEntityProcessing;

/**
 * {@link UpstreamClient} on Jersey's client with the Apache HttpClient 5 connector, which streams
 * bodies of unknown length and pools keep-alive connections. Configured as a proxy needs, not as an
 * application client: no redirects followed, no cookies kept, no transparent decompression, no
 * User-Agent of its own, and Content-Type and Content-Length passed through as the client sent
 * them.
 */
public final class JerseyUpstreamClient implements UpstreamClient {
  /** Request property holding the {@link Exchange} state shared with the filter and closer. */
  private static final String EXCHANGE = Exchange.class.getName();

  /**
   * Jersey warns once per request about two things a proxy does on purpose: forwarding a GET or
   * DELETE that carries a body (validation is suppressed, so it only warns), and the Content-Type
   * the connector sent being the client's rather than the one Jersey derived from the entity.
   * Raised to SEVERE so client traffic cannot flood the server log; strong references, because
   * java.util.logging forgets the level of a logger nobody holds.
   */
  private static final List<Logger> QUIETED =
      List.of(
          quiet("org.glassfish.jersey.client.JerseyInvocation"),
          quiet("org.glassfish.jersey.message.internal.HeaderUtils"));

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  private final PoolingHttpClientConnectionManager pool;
  private final Client client;

  public JerseyUpstreamClient(UpstreamConfig config) {
    this.pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(config.maxConnections())
            .setMaxConnPerRoute(config.maxConnectionsPerRoute())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    // a pooled connection the upstream closed while idle is detected before reuse
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .build();
    TimeValue idle = TimeValue.of(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ClientConfig jersey =
        new ClientConfig()
            .connectorProvider(new Apache5ConnectorProvider())
            .property(Apache5ClientProperties.CONNECTION_MANAGER, pool)
            .property(Apache5ClientProperties.DISABLE_COOKIES, true)
            .property(ClientProperties.FOLLOW_REDIRECTS, false)
            .property(ClientProperties.REQUEST_ENTITY_PROCESSING, RequestEntityProcessing.CHUNKED)
            // a proxy forwards GET-with-body and friends as they come; it does not police them
            .property(ClientProperties.SUPPRESS_HTTP_COMPLIANCE_VALIDATION, true)
            .property(
                Apache5ClientProperties.CONNECTION_CLOSING_STRATEGY,
                (Apache5ConnectionClosingStrategy) JerseyUpstreamClient::closeExchange)
            .register(
                (Apache5HttpClientBuilderConfigurator)
                    builder ->
                        builder
                            .disableContentCompression()
                            .disableDefaultUserAgent()
                            .disableRedirectHandling()
                            .disableCookieManagement()
                            .disableAutomaticRetries()
                            .evictIdleConnections(idle))
            .register(new RawHeaders());
    this.client = new JerseyClientBuilder().withConfig(jersey).build();
  }

  @Override
  public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
    Invocation.Builder builder = client.target(request.uri()).request();
    Exchange exchange = new Exchange();
    for (Map.Entry<String, String> h : request.headers()) {
      builder.header(h.getKey(), h.getValue());
      if (h.getKey().equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)) {
        exchange.contentType = h.getValue();
      }
    }
    builder
        .property(EXCHANGE, exchange)
        .property(ClientProperties.CONNECT_TIMEOUT, millis(request.timeouts().connect()))
        .property(ClientProperties.READ_TIMEOUT, millis(request.timeouts().read()));
    Entity<?> entity = null;
    ClientBody body = null;
    // An empty body is sent as none: HttpClient then writes "Content-Length: 0" itself for POST,
    // PUT and PATCH, while a 0-byte entity would make it demand a Content-Type on OPTIONS.
    if (request.body() != null && request.contentLength() != 0) {
      body = new ClientBody(request.body());
      exchange.hasBody = true;
      // An HttpClient entity (not a plain stream) so the connector keeps the client's
      // Content-Length instead of re-framing every body as chunked.
      entity =
          Entity.entity(
              new InputStreamEntity(body, request.contentLength(), null),
              MediaType.APPLICATION_OCTET_STREAM_TYPE);
    }
    try {
      Response response = builder.method(request.method(), entity);
      return new JerseyUpstreamResponse(response, exchange);
    } catch (ProcessingException | IllegalStateException e) {
      exchange.abort = true;
      throw new UpstreamException(classify(e, body), e);
    }
  }

  private static int millis(java.time.Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  static UpstreamFailure classify(Throwable e, ClientBody body) {
    if (body != null && body.failed()) {
      return UpstreamFailure.CLIENT_ABORTED;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
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

  /**
   * Ends an exchange: normally by closing the body stream, which lets HttpClient reuse the
   * connection; when the proxy marked it aborted (client gone, upstream failed mid-body), by
   * aborting, so the rest of a large body is not read for nobody.
   */
  private static void closeExchange(
      org.glassfish.jersey.client.ClientRequest clientRequest,
      org.apache.hc.client5.http.classic.methods.HttpUriRequest request,
      org.apache.hc.client5.http.impl.classic.CloseableHttpResponse response,
      InputStream stream)
      throws java.io.IOException {
    Exchange exchange = clientRequest.resolveProperty(EXCHANGE, Exchange.class);
    if (exchange != null && exchange.abort) {
      request.abort();
    }
    try {
      stream.close();
    } finally {
      response.close();
    }
  }

  @Override
  public void close() {
    client.close();
    pool.close();
  }

  /**
   * Puts back what Jersey normalises: the client's Content-Type exactly as sent (Jersey rewrites it
   * from the entity's media type), and hands the raw response stream to the proxy, so reading it
   * does not first block for a byte to see whether there is a body (which would hold back the
   * headers of an event stream).
   */
  private static final class RawHeaders implements ClientRequestFilter, ClientResponseFilter {
    @Override
    public void filter(ClientRequestContext request) {
      if (request.getProperty(EXCHANGE) instanceof Exchange exchange && exchange.hasBody) {
        if (exchange.contentType == null) {
          request.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
        } else {
          request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, exchange.contentType);
        }
      }
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
      if (request.getProperty(EXCHANGE) instanceof Exchange exchange) {
        exchange.body = response.getEntityStream();
      }
    }
  }

  /** What one exchange's parts (sender, filter, closer) tell each other. */
  static final class Exchange {
    /** The client's Content-Type, byte for byte; null when it sent none. */
    String contentType;

    boolean hasBody;

    /** The raw response body stream, as the connector made it. */
    InputStream body;

    /** Set when the exchange must be aborted rather than drained on close. */
    volatile boolean abort;
  }
}
