package dev.gatewaywar.standalone;

import dev.gatewaywar.GatewayBootstrap;
import jakarta.servlet.ServletContext;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.loader.WebappLoader;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;

/**
 * The gateway web application on an embedded Tomcat: the same WAR contents, the same listener and
 * web.xml as on an app server, deployed at the root context.
 *
 * <p>Requests run on virtual threads when the JVM has them (Java 21+), else on Tomcat's pool of 200
 * platform threads. The proxy itself holds no thread while an upstream answers (it is asynchronous:
 * README, Performance), so 2,000 requests held by a slow upstream cost no threads either way, and
 * neither does a client's upload (read with non-blocking input as it arrives); what still holds a
 * request thread is middleware that waits (the Redis rate limiter, a JWKS or introspection call),
 * and there virtual threads keep a slow backend from taking the whole pool. The system property
 * {@value #THREADS_PROPERTY} ({@code auto}, {@code virtual} or {@code platform}) overrides the
 * choice.
 */
public final class EmbeddedGateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmbeddedGateway.class.getName());

  /** {@code auto} (default): virtual threads on Java 21+, platform threads before. */
  public static final String THREADS_PROPERTY = "gateway.threads";

  private final Tomcat tomcat;
  private final Connector connector;
  private final Context context;
  private final boolean virtualThreads;

  private EmbeddedGateway(
      Tomcat tomcat, Connector connector, Context context, boolean virtualThreads) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.context = context;
    this.virtualThreads = virtualThreads;
  }

  /**
   * Starts the webapp unpacked at {@code webappDir} on {@code port} (0 picks a free one).
   *
   * @param configFile the gateway config; passed to the webapp as its {@code gateway.config}
   *     init-param, so several embedded gateways in one JVM (tests) can each have their own
   * @throws IllegalStateException when the webapp does not start (bad config: the reason is in the
   *     log above)
   */
  public static EmbeddedGateway start(Path webappDir, Path configFile, int port)
      throws IOException, LifecycleException {
    Tomcat tomcat = new Tomcat();
    // Before anything calls getServer(): that fixes the server's base directory, falling back to
    // the catalina.base system property, which another Tomcat in this JVM (Arquillian's, in
    // tests) may have set; close() would then delete that Tomcat's directory.
    Path base = Files.createTempDirectory("gateway-tomcat");
    base.toFile().deleteOnExit();
    tomcat.setBaseDir(base.toString());
    // Under `java -jar` the system class loader holds only the launcher; Tomcat and the webapp's
    // libraries are on the launcher's loader, which must be the webapp's parent.
    tomcat.getServer().setParentClassLoader(EmbeddedGateway.class.getClassLoader());
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Connector connector = new Connector(Http11NioProtocol.class.getName());
    connector.setPort(port);
    // The gateway itself rejects encoded slashes, with a JSON 400 like its other errors.
    connector.setEncodedSolidusHandling("passthrough");
    // Keep client connections open for as long as the client wants: Tomcat's default closes
    // every connection after 100 requests, which costs a reconnect under steady load.
    connector.setProperty("maxKeepAliveRequests", "-1");
    // Tomcat moves a body through a per-connection buffer, one system call per buffer: at its
    // default 8 KiB a 1 GiB download made 131,072 writes. 32 KiB out and 16 KiB in cut the
    // gateway's CPU per GiB from 1.1 to 0.6-0.8 s down and 0.7 to 0.5 s up (bench/streaming.sh),
    // for 32 KiB more per open connection (64 MB at 2,000 connections).
    connector.setProperty("socket.appWriteBufSize", "32768");
    connector.setProperty("socket.appReadBufSize", "16384");
    boolean virtualThreads = useVirtualThreads(System.getProperty(THREADS_PROPERTY, "auto"));
    if (virtualThreads) {
      connector.setProperty("useVirtualThreads", "true");
    }
    LOG.info(
        () ->
            "requests run on "
                + (virtualThreads ? "virtual threads" : "platform threads (at most 200)")
                + ", Java "
                + Runtime.version().feature());
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    tomcat.getHost().setAutoDeploy(false);
    // Tomcat's own error page (for requests it refuses before the webapp) shows the exception's
    // stack trace and the Tomcat version; the Host uses the valve of this class instead of it
    StandardHost host = (StandardHost) tomcat.getHost();
    host.getPipeline().addValve(new ContainerErrorValve());
    host.setErrorReportValveClass(ContainerErrorValve.class.getName());
    Context context = tomcat.addWebapp("", webappDir.toAbsolutePath().toString());
    if (configFile != null) {
      context.addParameter("gateway.config", configFile.toAbsolutePath().toString());
    }
    WebappLoader loader = new WebappLoader();
    // The launcher's class loader already has the webapp's classes: load them once, from there.
    loader.setDelegate(true);
    context.setLoader(loader);
    tomcat.start();
    if (context.getState() != LifecycleState.STARTED) {
      tomcat.stop();
      tomcat.destroy();
      throw new IllegalStateException("the gateway did not start (see the log above)");
    }
    return new EmbeddedGateway(tomcat, connector, context, virtualThreads);
  }

  /**
   * @param choice {@code auto}, {@code virtual} or {@code platform}
   * @throws IllegalArgumentException for {@code virtual} before Java 21, or another value
   */
  static boolean useVirtualThreads(String choice) {
    boolean available = Runtime.version().feature() >= 21;
    return switch (choice) {
      case "auto" -> available;
      case "platform" -> false;
      case "virtual" -> {
        if (!available) {
          throw new IllegalArgumentException(
              THREADS_PROPERTY
                  + "=virtual needs Java 21 or later, this is Java "
                  + Runtime.version().feature());
        }
        yield true;
      }
      default ->
          throw new IllegalArgumentException(
              THREADS_PROPERTY + " must be auto, virtual or platform, not '" + choice + "'");
    };
  }

  /** Whether requests run on virtual threads (else on Tomcat's platform thread pool). */
  public boolean virtualThreads() {
    return virtualThreads;
  }

  /** The port it listens on (the chosen one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** The gateway webapp's servlet context ({@code GatewayStatus.from} reads its status there). */
  public ServletContext servletContext() {
    return context.getServletContext();
  }

  public void await() {
    tomcat.getServer().await();
  }

  /**
   * Stops gracefully: the gateway drains first (readiness 503, new requests a JSON 503, requests in
   * flight finish, at most {@code server.drain_timeout}), then Tomcat stops. In that order because
   * Tomcat's own stop pauses the connector first, after which a new request would get Tomcat's bare
   * 503 instead of the gateway's.
   */
  @Override
  public void close() throws LifecycleException {
    GatewayBootstrap.drain(context.getServletContext());
    tomcat.stop();
    tomcat.destroy();
    deleteQuietly(new File(tomcat.getServer().getCatalinaBase().getPath()));
  }

  private static void deleteQuietly(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteQuietly(c);
      }
    }
    f.delete();
  }
}
