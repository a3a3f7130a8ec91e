package dev.gatewaywar;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigLocation;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.jmx.GatewayMBeans;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.proxy.ClientBodyTimeouts;
import dev.gatewaywar.proxy.ProxyServlet;
import dev.gatewaywar.proxy.Retries;
import dev.gatewaywar.proxy.TargetMonitor;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.reload.ConfigFile;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * Starts the gateway when the web application starts: finds and loads the configuration, builds
 * every route's chain, and registers the front controller and the proxy servlet, then the gateway's
 * MBeans ({@link GatewayMBeans}). A configuration problem is thrown from here, which makes the
 * container fail the deployment: the gateway never serves with a configuration it could not fully
 * understand.
 */
public final class GatewayBootstrap implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(GatewayBootstrap.class.getName());
  private static final String ATTRIBUTE = GatewayBootstrap.class.getName();

  private final Clock clock = Clock.systemUTC();
  private UpstreamClient upstream;
  private TargetMonitor targets;
  private ClientBodyTimeouts bodyTimeouts;
  private Retries retries;
  private Runtimes runtimes;
  private Readiness readiness;
  private ConfigReloader reloader;
  private LiveStatus status;
  private GatewayMBeans mbeans;
  private boolean drained;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    ConfigLocation location =
        ConfigLocation.resolve(System::getProperty, System::getenv, context::getInitParameter);
    GatewayMetrics metrics = GatewayMetrics.create();
    readiness = new Readiness();
    MiddlewareRegistry registry = MiddlewareRegistry.standard(context.getClassLoader(), metrics);
    ConfigLoader loader = ConfigLoader.withEnvironment(registry);
    UpstreamClient client;
    TargetMonitor monitor;
    WebappParts parts;
    GatewayRuntime runtime;
    ConfigFile file = null;
    LiveStatus live = new LiveStatus(metrics, clock::instant);
    try {
      GatewayConfig config;
      if (location.file().isPresent()) {
        file = read(location.file().get());
        config = loader.parse(file.text(), file.path().toString());
      } else {
        file = readBundled(location, context);
        config = loader.parse(file.text(), location.describe());
      }
      // one connection pool for the webapp's life, shared by every configuration a reload builds
      UpstreamClient untimed = UpstreamClient.of(config.upstream());
      client = metrics.timing(untimed);
      // health checks are not requests: kept out of the upstream latency and failure metrics
      monitor = new TargetMonitor(untimed, clock);
      metrics.watchTargets(monitor);
      parts = new WebappParts(registry, context, client, metrics, readiness, monitor, live);
      runtime = buildFirst(config, parts);
    } catch (ConfigException e) {
      // Through the gateway's own logger, not ServletContext.log: Tomcat sends the context log
      // (and the exception it is about to log) only to logs/localhost.DATE.log, and says no more
      // than "One or more listeners failed to start" on the console and in catalina.out.
      LOG.severe(e::getMessage);
      throw new IllegalStateException(e.getMessage(), e);
    }
    Instant loadedAt = clock.instant();
    metrics.configLoaded(loadedAt);
    live.loaded(runtime, location.describe(), file.digest(), loadedAt);
    status = live;
    upstream = client;
    targets = monitor;
    runtimes = new Runtimes(runtime, System::nanoTime);
    bodyTimeouts = ClientBodyTimeouts.start();
    // upstream.retry_buffer is read once: a reload cannot change it, as the rest of upstream:
    retries = new Retries(runtime.config().upstream().retryBuffer(), metrics::upstreamRetried);
    metrics.watchRetryBuffer(retries::keptBytes);
    register(
        context,
        new FrontController(runtimes, metrics),
        new ProxyServlet(upstream, bodyTimeouts, retries));
    context.setAttribute(ATTRIBUTE, this);
    context.setAttribute(GatewayStatus.ATTRIBUTE, status);
    readiness.serving();
    LOG.info(
        () ->
            "gateway started with "
                + runtime.config().routes().size()
                + " routes from "
                + location.describe()
                + " ("
                + location.origin()
                + ")");
    if (location.file().isPresent()) {
      reloader = ConfigReloader.start(file, loader, parts, runtimes, status, clock);
      status.reloadWith(reloader::reloadNow);
    }
    if (reloader != null && reloader.watching()) {
      LOG.info(
          () ->
              "watching "
                  + location.describe()
                  + " for changes (server.reload.interval "
                  + runtime.config().server().reload().interval().toMillis()
                  + " ms)");
    }
    // last: a start that fails leaves nothing in the JVM-wide MBean server
    mbeans = GatewayMBeans.register(context, status);
    if (reloader != null) {
      reloader.afterEachSwap(mbeans::sync);
      mbeans.sync(); // a reload that ended before the line above
    }
  }

  /**
   * Stops: readiness turns 503, new requests get 503 {@code shutting down}, requests in flight run
   * to their end (at most {@code server.drain_timeout}), then every resource is closed.
   *
   * <p>Inside an app server this is the first the webapp hears of its end, and the server has
   * already stopped sending it new requests (Tomcat pauses its connectors, or unmaps the context on
   * undeploy, and waits up to the context's {@code unloadDelay} for busy servlets); the drain here
   * keeps the webapp's classes and resources alive for the requests still running. The embedded
   * runner drains first ({@link #drain}), while its connector still takes requests.
   */
  @Override
  public void contextDestroyed(ServletContextEvent event) {
    try {
      stop(event.getServletContext());
    } finally {
      // the MBean server outlives the webapp: an MBean left there would keep its class loader
      if (mbeans != null) {
        mbeans.close();
      }
    }
  }

  private void stop(ServletContext context) {
    drainOnce();
    if (runtimes != null) {
      runtimes.close();
    }
    if (retries != null) {
      retries.close(); // its retries are sent on the upstream client: stopped first
    }
    if (targets != null) {
      targets.close(); // its checks are sent on the upstream client: stopped first
    }
    if (upstream != null) {
      upstream.close();
    }
    if (bodyTimeouts != null) {
      bodyTimeouts.close();
    }
    if (status != null) {
      status.close();
    }
    context.removeAttribute(ATTRIBUTE);
    context.removeAttribute(GatewayStatus.ATTRIBUTE);
    RecordMethodCaches.release();
  }

  /**
   * Drains the gateway running in {@code context} (see {@link #contextDestroyed}) without stopping
   * the webapp: for a runner that controls its container and drains before stopping it, so requests
   * arriving meanwhile still get the gateway's own 503. Does nothing when no gateway started there.
   */
  public static void drain(ServletContext context) {
    if (context.getAttribute(ATTRIBUTE) instanceof GatewayBootstrap bootstrap) {
      bootstrap.drainOnce();
    }
  }

  private synchronized void drainOnce() {
    if (drained || runtimes == null) {
      return;
    }
    drained = true;
    if (reloader != null) {
      reloader.close(); // no reload may swap a runtime in under the drain
    }
    readiness.stopping();
    Duration timeout = runtimes.current().config().server().drainTimeout();
    LOG.info(
        () ->
            "gateway stopping: new requests get 503, waiting up to "
                + timeout.toSeconds()
                + " s (server.drain_timeout) for "
                + runtimes.current().inFlight()
                + " request(s) in flight");
    long start = System.nanoTime();
    try {
      boolean idle = runtimes.drain(timeout);
      if (idle) {
        LOG.info(
            () ->
                "gateway drained in "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis()
                    + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds the first runtime; when that fails, no upstream client thread is left running. */
  private static GatewayRuntime buildFirst(GatewayConfig config, WebappParts parts)
      throws ConfigException {
    try {
      return GatewayRuntime.build(config, parts);
    } catch (ConfigException | RuntimeException e) {
      parts.targets().close();
      parts.upstream().close();
      throw e;
    }
  }

  private static ConfigFile read(Path file) throws ConfigException {
    try {
      return ConfigFile.read(file);
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), List.of(new ConfigProblem(0, "", "cannot read file: " + e)));
    }
  }

  /** The configuration bundled in the WAR, read whole (its digest is shown like a file's). */
  private static ConfigFile readBundled(ConfigLocation location, ServletContext context)
      throws ConfigException {
    try (InputStream in = context.getResourceAsStream(ConfigLocation.BUNDLED)) {
      if (in == null) {
        throw new ConfigException(
            location.describe(),
            List.of(
                new ConfigProblem(
                    0,
                    "",
                    "no configuration: set -D"
                        + ConfigLocation.PROPERTY
                        + "=FILE or "
                        + ConfigLocation.ENVIRONMENT)));
      }
      byte[] bytes = in.readNBytes((int) ConfigFile.MAX_BYTES + 1);
      return new ConfigFile(
          Path.of(ConfigLocation.BUNDLED),
          new String(bytes, StandardCharsets.UTF_8),
          ConfigFile.digest(bytes));
    } catch (IOException e) {
      throw new ConfigException(
          location.describe(), List.of(new ConfigProblem(0, "", "cannot read: " + e)));
    }
  }

  private static void register(
      ServletContext context, FrontController frontController, ProxyServlet proxy) {
    FilterRegistration.Dynamic filter = context.addFilter("gateway", frontController);
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    ServletRegistration.Dynamic servlet = context.addServlet("gateway-proxy", proxy);
    servlet.setAsyncSupported(true);
    servlet.setLoadOnStartup(1);
    // "/*" rather than "/": a path mapping beats the container's *.jsp extension mapping
    servlet.addMapping("/*");
  }
}
