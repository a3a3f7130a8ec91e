package dev.gatewaywar;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigLocation;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.Readiness;
import dev.gatewaywar.proxy.ProxyServlet;
import dev.gatewaywar.proxy.UpstreamClient;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * Starts the gateway when the web application starts: finds and loads the configuration, builds
 * every route's chain, and registers the front controller and the proxy servlet. A configuration
 * problem is thrown from here, which makes the container fail the deployment: the gateway never
 * serves with a configuration it could not fully understand.
 */
public final class GatewayBootstrap implements ServletContextListener {
  private static final Logger LOG = Logger.getLogger(GatewayBootstrap.class.getName());

  private UpstreamClient upstream;
  private FrontController frontController;
  private Readiness readiness;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    ConfigLocation location =
        ConfigLocation.resolve(System::getProperty, System::getenv, context::getInitParameter);
    MiddlewareRegistry registry = MiddlewareRegistry.standard(context.getClassLoader());
    // before the routes' filters are built: the metrics middleware records into these
    GatewayMetrics metrics = GatewayMetrics.create();
    metrics.installIn(context);
    readiness = Readiness.installIn(context);
    GatewayRuntime runtime;
    try {
      GatewayConfig config = load(location, registry, context);
      runtime = GatewayRuntime.build(config, registry, context);
    } catch (ConfigException e) {
      // Through the gateway's own logger, not ServletContext.log: Tomcat sends the context log
      // (and the exception it is about to log) only to logs/localhost.DATE.log, and says no more
      // than "One or more listeners failed to start" on the console and in catalina.out.
      LOG.severe(e::getMessage);
      throw new IllegalStateException(e.getMessage(), e);
    }
    upstream = metrics.timing(UpstreamClient.of(runtime.config().upstream()));
    frontController = new FrontController(runtime, metrics);
    register(context, frontController, new ProxyServlet(upstream));
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
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (readiness != null) {
      readiness.stopping();
    }
    if (frontController != null) {
      frontController.runtime().close();
    }
    if (upstream != null) {
      upstream.close();
    }
    GatewayMetrics.uninstallFrom(event.getServletContext());
    RecordMethodCaches.release();
  }

  private static GatewayConfig load(
      ConfigLocation location, MiddlewareRegistry registry, ServletContext context)
      throws ConfigException {
    ConfigLoader loader = ConfigLoader.withEnvironment(registry);
    if (location.file().isPresent()) {
      return loader.load(location.file().get());
    }
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
      return loader.parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), location.describe());
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
