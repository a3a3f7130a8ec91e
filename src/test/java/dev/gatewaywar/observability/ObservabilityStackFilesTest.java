package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.GatewayConfig;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/observability checked with what runs here (no Docker engine): the gateway config loads
 * strictly, Prometheus scrapes the path and port it serves, spans go to the compose file's Jaeger,
 * and every PromQL expression of the Grafana dashboard names only series the gateway exports.
 */
class ObservabilityStackFilesTest {
  private static final Path DIR = Path.of("deploy/observability");

  /** A metric name inside PromQL: an identifier of the gateway's, the JVM's or the process's. */
  private static final Pattern METRIC = Pattern.compile("\\b((?:gateway|jvm|process)_[a-z0-9_]+)");

  private static GatewayConfig gatewayConfig() throws Exception {
    MiddlewareRegistry registry =
        MiddlewareRegistry.standard(
            ObservabilityStackFilesTest.class.getClassLoader(), GatewayMetrics.create());
    return new ConfigLoader(registry, name -> null).load(DIR.resolve("gateway.yaml"));
  }

  /** Every series name the gateway's registry can expose (counter _total, histogram parts). */
  private static Set<String> exportedSeries() {
    Set<String> names = new TreeSet<>();
    for (MetricSnapshot s : GatewayMetrics.create().registry().scrape()) {
      String name = s.getMetadata().getPrometheusName();
      if (s instanceof CounterSnapshot) {
        names.add(name + "_total");
      } else if (s instanceof HistogramSnapshot || s instanceof SummarySnapshot) {
        names.addAll(List.of(name + "_bucket", name + "_count", name + "_sum", name));
      } else {
        names.add(name);
      }
    }
    return names;
  }

  private static List<String> dashboardExpressions() throws Exception {
    List<String> exprs = new ArrayList<>();
    try (JsonParser p =
        new JsonFactory().createParser(DIR.resolve("grafana/dashboards/gateway.json").toFile())) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        if (t == JsonToken.FIELD_NAME && p.currentName().equals("expr")) {
          p.nextToken();
          exprs.add(p.getText());
        }
      }
    }
    return exprs;
  }

  @Test
  void everyDashboardQueryNamesOnlyMetricsTheGatewayExports() throws Exception {
    Set<String> exported = exportedSeries();
    List<String> exprs = dashboardExpressions();

    assertTrue(exprs.size() >= 8, "the dashboard has its panels: " + exprs);
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      boolean any = false;
      while (m.find()) {
        any = true;
        assertTrue(
            exported.contains(m.group(1)), m.group(1) + " is not exported; have " + exported);
      }
      assertTrue(any, "names no gateway metric: " + expr);
    }
  }

  @Test
  void dashboardCoversWhatOperationsAskFor() throws Exception {
    String all = String.join("\n", dashboardExpressions());
    for (String needed :
        List.of(
            "gateway_requests_total",
            "status=~\"5..\"",
            "histogram_quantile(0.99",
            "gateway_requests_in_flight",
            "gateway_ratelimit_rejections_total")) {
      assertTrue(all.contains(needed), "dashboard lacks " + needed);
    }
  }

  @Test
  void gatewayConfigLoadsStrictlyWithEveryObservabilityBuiltIn() throws Exception {
    GatewayConfig config = gatewayConfig();

    assertTrue(config.metrics().enabled());
    assertTrue(config.global(TracingMiddleware.CONFIG).enabled());
    assertFalse(config.routes().isEmpty());
    config
        .routes()
        .forEach(
            r ->
                assertTrue(
                    r.middleware().containsAll(List.of("tracing", "logging", "metrics")),
                    r.path()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesTheGatewaysMetricsPathAndPort() throws Exception {
    GatewayConfig config = gatewayConfig();
    Map<String, Object> prometheus =
        new Yaml().load(Files.readString(DIR.resolve("prometheus.yml")));

    Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
    assertEquals(config.metrics().path(), job.get("metrics_path"));
    List<String> targets =
        (List<String>)
            ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets");
    assertEquals(List.of("gateway:" + config.server().port()), targets);
  }

  @Test
  @SuppressWarnings("unchecked")
  void spansGoToTheComposeFilesJaegerOnOtlpGrpc() throws Exception {
    GatewayConfig config = gatewayConfig();
    Map<String, Object> compose =
        new Yaml().load(Files.readString(DIR.resolve("docker-compose.yml")));
    Map<String, Object> services = (Map<String, Object>) compose.get("services");

    assertEquals("jaeger:4317", config.global(TracingMiddleware.CONFIG).endpoint());
    List<String> jaegerPorts =
        (List<String>) ((Map<String, Object>) services.get("jaeger")).get("ports");
    assertTrue(jaegerPorts.contains("4317:4317"), jaegerPorts.toString());
    assertTrue(jaegerPorts.contains("16686:16686"), jaegerPorts.toString());
    assertTrue(services.keySet().containsAll(List.of("gateway", "prometheus", "grafana")));
  }
}
