package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.api.SharedResources;
import dev.gatewaywar.config.RouteTls;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * {@link UpstreamClient} on Apache HttpClient 5's async client, used directly: a few I/O threads
 * (one per core) carry every upstream connection, so a request waiting for its upstream holds no
 * thread, and answers are handed to the proxy servlet as they arrive (README, Performance: the
 * blocking client cost a thread hand-off and five context switches per request). Configured as a
 * proxy needs: HTTP/1.1 only, no redirects followed, no cookies kept, no transparent decompression,
 * no retries, no TLS upgrade offers, no User-Agent of its own; headers and body framing as the
 * client sent them.
 *
 * <p>Waiting for a pooled connection is bounded by the route's connect timeout (HttpClient's own
 * default is 3 minutes): when one upstream holds all its {@code max_connections_per_route}
 * connections, its further requests get a 503 after that time instead of hanging, and other
 * upstreams are unaffected. Within one upstream's pool, one client address has at most {@code
 * max_connections_per_client} requests in flight ({@link ClientShares}); its next gets a 503 at
 * once. A request with a body takes no connection before its body has begun.
 */
public final class ApacheUpstreamClient implements UpstreamClient {
  private static final Logger LOG = Logger.getLogger(ApacheUpstreamClient.class.getName());

  /**
   * HttpCore's read buffer per connection, and so the largest body piece handed on at once: large
   * enough that a 1 GiB download is not sliced into 8 KiB writes (the default).
   */
  static final int IO_BUFFER_SIZE = 32 * 1024;

  /** Marks an exchange whose client sent no User-Agent, so the library's own is taken off again. */
  private static final String NO_USER_AGENT = ApacheUpstreamClient.class.getName() + ".noUserAgent";

  /** The exchange a request belongs to, in its HttpClient context. */
  private static final String EXCHANGE = ApacheUpstreamClient.class.getName() + ".exchange";

  private final PoolingAsyncClientConnectionManager pool;
  private final PoolHousekeeping housekeeping;
  private final UpstreamThreads threads;
  private final CloseableHttpAsyncClient client;

  /** Each client address's requests in flight per upstream. */
  private final ClientShares shares;

  private final int maxPerClient;

  private final UpstreamConfig config;

  /**
   * A client of its own for each distinct {@code tls:} of the routes (see {@link #settingsFor}),
   * held by the settings of every route that uses it and closed by {@link #closeLater} when the
   * last of them is released.
   */
  private final SharedResources<RouteTls, ApacheUpstreamClient> tlsClients =
      new SharedResources<>(this::closeLater);

  /** Route TLS clients made and not yet closed, in case a route's settings were never released. */
  private final Set<ApacheUpstreamClient> openTlsClients = ConcurrentHashMap.newKeySet();

  /** Threads closing released route TLS clients; joined by {@link #close}. */
  private final List<Thread> closers = new CopyOnWriteArrayList<>();

  private final AtomicInteger tlsClientsMade = new AtomicInteger();

  public ApacheUpstreamClient(UpstreamConfig config) {
    this(config, null, "gateway-upstream-io-");
  }

  /**
   * @param tls the TLS of every https connection, or null for HttpClient's default (the JVM's
   *     trust)
   * @param threadPrefix its threads' names before their number
   */
  private ApacheUpstreamClient(UpstreamConfig config, TlsStrategy tls, String threadPrefix) {
    this.config = config;
    this.threads = new UpstreamThreads(threadPrefix);
    this.maxPerClient = config.maxConnectionsPerClient();
    this.shares = new ClientShares(maxPerClient);
    this.pool =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(config.maxConnections())
            .setMaxConnPerRoute(config.maxConnectionsPerRoute())
            // LAX: per-route locks instead of one pool-wide lock, so a crowd waiting for a slow
            // upstream's connections does not contend with the requests of fast ones
            .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
            .setTlsStrategy(tls)
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    // a pooled connection the upstream closed while idle is detected before reuse
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .build();
    TimeValue idle = TimeValue.of(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    this.housekeeping =
        new PoolHousekeeping(
            () -> {
              pool.closeExpired();
              pool.closeIdle(idle);
            },
            Math.max(1_000, config.idleTimeout().toMillis() / 2),
            threads);
    this.client =
        HttpAsyncClients.custom()
            .setConnectionManager(pool)
            .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
            .setHttp1Config(
                Http1Config.custom()
                    .setBufferSize(IO_BUFFER_SIZE)
                    .setInitialWindowSize(Exchange.BODY_WINDOW)
                    // a response head is held until complete: these bound it while it is read
                    // (count x line), ResponseHeads its total once it is
                    .setMaxHeaderCount(config.maxResponseHeaders())
                    .setMaxLineLength(config.maxResponseHeaderLine())
                    .build())
            .addResponseInterceptorFirst(new ResponseHeads(config.maxResponseHeadSize()))
            .setIOReactorConfig(IOReactorConfig.custom().setTcpNoDelay(true).build())
            .setThreadFactory(threads)
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAutomaticRetries()
            .disableAuthCaching()
            // no per-request user token (TLS principal) to match pooled connections against
            .disableConnectionState()
            // the async builder has no switch for its default User-Agent: take it off again
            .addRequestInterceptorLast(
                (request, entity, context) -> {
                  if (context.getAttribute(NO_USER_AGENT) != null) {
                    request.removeHeaders(HttpHeaders.USER_AGENT);
                  }
                })
            // reached once a pooled connection is leased and connected: its lease wait is over
            .addExecInterceptorAfter(
                ChainElement.CONNECT.name(),
                "gateway-connected",
                (request, entity, scope, chain, callback) -> {
                  if (scope.clientContext.getAttribute(EXCHANGE) instanceof Exchange exchange) {
                    housekeeping.done(exchange);
                  }
                  chain.proceed(request, entity, scope, callback);
                })
            .build();

    client.start();
  }

  /**
   * A route with its own {@code tls:} is sent through a client (connection pool and I/O threads) of
   * its own, shared only with routes whose TLS settings are equal. HttpClient pools connections by
   * {@code scheme://host:port} and binds one TLS strategy to a pool, so within one pool a
   * connection verified against one route's CAs, or carrying its client certificate, would be
   * reused for another route's requests to the same address: separate pools make that impossible.
   * The settings hold their client until {@link RouteSettings#release released}: a reload that
   * keeps a {@code tls:} block as it was hands the new route the client already open (its
   * connections too), and a client no route holds any more is closed, on a thread of its own (the
   * last release may come from a request completing on that client's own I/O thread).
   */
  @Override
  public RouteSettings settingsFor(TimeoutsConfig timeouts, Optional<RouteTls> tls) {
    SharedResources.Lease<ApacheUpstreamClient> sender =
        tls.map(t -> tlsClients.acquire(t, this::openTlsClient)).orElse(null);
    return new Settings(configFor(timeouts), timeouts.connect().toNanos(), sender);
  }

  private ApacheUpstreamClient openTlsClient(RouteTls tls) {
    ApacheUpstreamClient c =
        new ApacheUpstreamClient(
            config,
            RouteTlsStrategy.of(tls),
            "gateway-upstream-tls" + tlsClientsMade.incrementAndGet() + "-io-");
    openTlsClients.add(c);
    return c;
  }

  /** Closes a route TLS client that no route holds any more, without waiting for it here. */
  private void closeLater(ApacheUpstreamClient tlsClient) {
    Thread closer =
        new Thread(
            () -> {
              tlsClient.close();
              openTlsClients.remove(tlsClient);
            },
            "gateway-upstream-tls-close");
    closer.setDaemon(true);
    closers.add(closer);
    closer.start();
    closers.removeIf(t -> !t.isAlive() && t != closer);
  }

  @Override
  public void send(UpstreamRequest request, UpstreamHandler handler) {
    Settings settings = (Settings) request.settings();
    ApacheUpstreamClient sender = settings.sender();
    if (sender != null && sender != this) {
      sender.send(request, handler);
      return;
    }
    BasicHttpRequest proxyRequest = new BasicHttpRequest(request.method(), request.uri());
    boolean userAgent = false;
    for (Map.Entry<String, String> h : request.headers()) {
      proxyRequest.addHeader(h.getKey(), h.getValue());
      userAgent |= h.getKey().equalsIgnoreCase(HttpHeaders.USER_AGENT);
    }
    HttpClientContext context = HttpClientContext.create();
    context.setRequestConfig(settings.requestConfig());
    if (!userAgent) {
      context.setAttribute(NO_USER_AGENT, Boolean.TRUE);
    }
    // A body of unknown length goes chunked; a known one keeps its length. The entity has no
    // Content-Type of its own: the client's header, copied above, is the one.
    if (request.body() == null) {
      execute(request, settings, proxyRequest, null, context, handler);
      return;
    }
    ClientBodyProducer body = new ClientBodyProducer(request.body());
    // no pooled connection is taken for a body that has not begun: a client that sends its head
    // and then trickles (or nothing) holds no upstream connection meanwhile
    body.start(() -> execute(request, settings, proxyRequest, body, context, handler));
  }

  /**
   * Sends the request on a pooled connection, once its body (if any) has begun and unless its
   * client already has its share of the upstream's connections.
   */
  private void execute(
      UpstreamRequest request,
      Settings settings,
      BasicHttpRequest proxyRequest,
      ClientBodyProducer body,
      HttpClientContext context,
      UpstreamHandler handler) {
    IOException clientFailure = body == null ? null : body.clientFailure();
    if (clientFailure != null) {
      handler.onFailure(
          new UpstreamException(ClientBodyProducer.kindOf(clientFailure), clientFailure));
      return;
    }
    ClientShares.Key share = new ClientShares.Key(upstreamOf(request.uri()), request.client());
    if (!shares.tryAcquire(share)) {
      if (body != null) {
        body.release();
      }
      handler.onFailure(overShare(share));
      return;
    }
    Exchange exchange =
        new Exchange(
            handler,
            body,
            housekeeping,
            System.nanoTime() + settings.connectNanos(),
            () -> shares.release(share));
    if (body != null) {
      body.exchange(exchange);
    }
    context.setAttribute(EXCHANGE, exchange);
    housekeeping.waiting(exchange);
    try {
      exchange.started(
          client.execute(
              new BasicRequestProducer(proxyRequest, body), exchange, null, context, exchange));
    } catch (RuntimeException e) {
      // the client is closing: the exchange ends here, and gives its client's share back
      exchange.failed(e);
    }
  }

  private UpstreamException overShare(ClientShares.Key share) {
    return new UpstreamException(
        UpstreamFailure.CLIENT_SHARE_EXHAUSTED,
        new IOException(
            "client "
                + share.client()
                + " has "
                + maxPerClient
                + " requests in flight to "
                + share.upstream()));
  }

  /** {@code scheme://host:port}: what HttpClient pools connections by. */
  private static String upstreamOf(URI uri) {
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return uri.getScheme() + "://" + uri.getHost() + ":" + port;
  }

  private static RequestConfig configFor(TimeoutsConfig timeouts) {
    Timeout connect = Timeout.ofMilliseconds(Math.max(1, timeouts.connect().toMillis()));
    return RequestConfig.custom()
        .setConnectionRequestTimeout(connect)
        .setConnectTimeout(connect)
        .setResponseTimeout(Timeout.ofMilliseconds(Math.max(1, timeouts.read().toMillis())))
        .setRedirectsEnabled(false)
        .setProtocolUpgradeEnabled(false)
        .build();
  }

  /**
   * A route's timeouts as HttpClient takes them.
   *
   * @param connectNanos the longest wait for a pooled connection and for connecting it
   * @param tls the hold on the client whose pool carries the route's requests (its TLS settings'),
   *     or null for the client that is asked to send them
   */
  private record Settings(
      RequestConfig requestConfig,
      long connectNanos,
      SharedResources.Lease<ApacheUpstreamClient> tls)
      implements RouteSettings {
    ApacheUpstreamClient sender() {
      return tls == null ? null : tls.resource();
    }

    @Override
    public void release() {
      if (tls != null) {
        tls.release();
      }
    }
  }

  static UpstreamFailure classify(Throwable e, ClientBodyProducer body) {
    IOException clientFailure = body == null ? null : body.clientFailure();
    if (clientFailure != null) {
      return ClientBodyProducer.kindOf(clientFailure);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionRequestTimeoutException || t instanceof DeadlineTimeoutException) {
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

  /**
   * Waits (10 s at most) for the route TLS clients being closed to be closed.
   *
   * @return true when the calling thread was interrupted meanwhile
   */
  private boolean joinClosers() {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Thread closer : closers) {
      while (closer.isAlive() && System.nanoTime() < deadline) {
        try {
          closer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    return interrupted;
  }

  @Override
  public void close() {
    // in-flight exchanges have drained before this (Runtimes); what is left is idle connections.
    // The I/O threads must be gone before the container looks for threads the webapp left
    // running, also when the closing thread comes interrupted (a shutdown hook may).
    boolean interrupted = Thread.interrupted();
    interrupted |= joinClosers();
    openTlsClients.forEach(ApacheUpstreamClient::close);
    openTlsClients.clear();
    client.close(CloseMode.GRACEFUL);
    try {
      client.awaitShutdown(TimeValue.ofSeconds(5));
    } catch (InterruptedException e) {
      interrupted = true;
    }
    housekeeping.close();
    pool.close(CloseMode.IMMEDIATE);
    if (!threads.awaitEnded(5_000)) {
      LOG.warning("upstream client threads still running 5 s after close");
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
