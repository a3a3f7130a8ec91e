package dev.gatewaywar.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.gatewaywar.api.ErrorResponses;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.HealthConfig;
import dev.gatewaywar.config.MetricsConfig;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.servlet.jakarta.HttpExchangeAdapter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The gateway's own endpoints (metrics, liveness, readiness), answered by the front controller
 * before route matching: no route's middleware runs for them, so an auth filter on a catch-all
 * route cannot hide the metrics from Prometheus or the health checks from a load balancer.
 */
public final class BuiltInEndpoints {
  private static final Logger LOG = Logger.getLogger(BuiltInEndpoints.class.getName());

  /**
   * No thread-local buffer recycling (Jackson's default): it leaves a SoftReference to a Jackson
   * buffer in a ThreadLocal of each server thread that wrote JSON, which keeps an undeployed
   * webapp's class loader alive until memory runs short, and Tomcat cannot see it to warn.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build();

  private static final Map<String, String> ALLOW_GET = Map.of("Allow", "GET, HEAD");

  private final String metricsPath;
  private final List<Cidr> metricsAllow;
  private final PrometheusScrapeHandler scrape;
  private final String livenessPath;
  private final String readinessPath;
  private final Readiness readiness;
  private final int routes;

  private BuiltInEndpoints(
      String metricsPath,
      List<Cidr> metricsAllow,
      PrometheusScrapeHandler scrape,
      String livenessPath,
      String readinessPath,
      Readiness readiness,
      int routes) {
    this.metricsPath = metricsPath;
    this.metricsAllow = metricsAllow;
    this.scrape = scrape;
    this.livenessPath = livenessPath;
    this.readinessPath = readinessPath;
    this.readiness = readiness;
    this.routes = routes;
  }

  /** The endpoints {@code config} turns on, exposing {@code metrics}. */
  public static BuiltInEndpoints of(
      GatewayConfig config, GatewayMetrics metrics, Readiness readiness) {
    MetricsConfig m = config.metrics();
    HealthConfig h = config.health();
    return new BuiltInEndpoints(
        m.enabled() ? m.path() : null,
        m.allow(),
        m.enabled() ? new PrometheusScrapeHandler(metrics.registry()) : null,
        h.enabled() ? h.livenessPath() : null,
        h.enabled() ? h.readinessPath() : null,
        readiness,
        config.routes().size());
  }

  /**
   * Answers the request when {@code path} (the raw path within the webapp) is one of the endpoints.
   *
   * @return false when it is not, and the request goes on to route matching
   */
  public boolean serve(String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    boolean metrics = path.equals(metricsPath);
    boolean liveness = path.equals(livenessPath);
    boolean ready = path.equals(readinessPath);
    if (!metrics && !liveness && !ready) {
      return false;
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      ErrorResponses.write(response, GatewayError.METHOD_NOT_ALLOWED, ALLOW_GET);
    } else if (metrics) {
      serveMetrics(request, response);
    } else if (liveness) {
      writeStatus(response, 200, "alive");
    } else if (readiness.isServing()) {
      writeStatus(response, 200, "ready");
    } else {
      writeStatus(response, 503, "not ready");
    }
    return true;
  }

  private void serveMetrics(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!allowed(request.getRemoteAddr())) {
      LOG.fine(() -> "metrics refused to " + request.getRemoteAddr());
      ErrorResponses.write(response, GatewayError.FORBIDDEN);
      return;
    }
    scrape.handleRequest(new HttpExchangeAdapter(request, response));
  }

  /** The socket peer's address, never a forwarded header: a client could claim any address. */
  private boolean allowed(String remoteAddr) {
    if (metricsAllow.isEmpty()) {
      return true;
    }
    InetAddress address;
    try {
      // the container gives the peer as a literal, so this parses and never looks anything up
      address = InetAddress.getByName(remoteAddr);
    } catch (UnknownHostException e) {
      return false;
    }
    for (Cidr block : metricsAllow) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private void writeStatus(HttpServletResponse response, int status, String text)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("status", text);
      if (status == 200 && text.equals("ready")) {
        g.writeNumberField("routes", routes);
      }
      g.writeEndObject();
    }
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(out.size());
    out.writeTo(response.getOutputStream());
  }
}
