package bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.proxy.AsyncMiddleManServlet;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 (EE10) whose only servlet is one of Jetty's transparent proxy servlets,
 * forwarding every path to the upstream: the reference point bench/compare.sh measures the
 * gateway against.
 *
 * <pre>
 *   java -cp ... bench.JettyProxyMain proxy|middleman PORT UPSTREAM_URL
 * </pre>
 *
 * <p>{@code proxy} is the blocking-read {@code ProxyServlet.Transparent}; {@code middleman} is
 * {@code AsyncMiddleManServlet.Transparent}, fully asynchronous. Both are left at Jetty's defaults
 * except the upstream connection pool (256 per destination, above the benchmark's 128 client
 * connections so no request waits for a connection) and no request log; Jetty keeps client
 * connections alive without a request limit by default.
 *
 * <p>{@code floor} serves no proxy: a servlet answering every path with a small JSON body, as the
 * gateway answers {@code /healthz} itself. It is Jetty's container floor (what taking a request
 * and writing a small answer costs), for bench/cpu-split.sh's comparison of what each proxy adds
 * on top of its own container.
 */
public final class JettyProxyMain {
  private static final int UPSTREAM_CONNECTIONS = 256;

  private JettyProxyMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: JettyProxyMain proxy|middleman|floor PORT UPSTREAM_URL");
      System.exit(2);
    }
    Class<? extends jakarta.servlet.Servlet> servlet =
        switch (args[0]) {
          case "proxy" -> ProxyServlet.Transparent.class;
          case "middleman" -> AsyncMiddleManServlet.Transparent.class;
          case "floor" -> SmallJson.class;
          default ->
              throw new IllegalArgumentException("proxy, middleman or floor, not " + args[0]);
        };
    Server server = new Server(new QueuedThreadPool(200, 8));
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.parseInt(args[1]));
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = context.addServlet(servlet, "/*");
    holder.setInitParameter("proxyTo", args[2]);
    holder.setInitParameter("maxConnections", String.valueOf(UPSTREAM_CONNECTIONS));
    holder.setAsyncSupported(true);
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    System.err.println(
        "jetty " + args[0] + " listening on port " + connector.getLocalPort() + " -> " + args[2]);
    server.join();
  }

  /** The floor's servlet: the same answer for every GET, like the gateway's /healthz. */
  public static final class SmallJson extends HttpServlet {
    private static final byte[] BODY = "{\"status\":\"alive\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("application/json");
      response.setContentLength(BODY.length);
      response.getOutputStream().write(BODY);
    }
  }
}
