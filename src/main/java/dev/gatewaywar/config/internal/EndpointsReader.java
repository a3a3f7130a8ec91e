package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.HealthConfig;
import dev.gatewaywar.config.MetricsConfig;

/** Reads the blocks of the built-in endpoints: {@code metrics:} and {@code health:}. */
public final class EndpointsReader {
  private EndpointsReader() {}

  public static MetricsConfig readMetrics(YamlReader m) {
    YamlReader p = m.mapping("prometheus");
    boolean enabled = p.bool("enabled", false);
    String path = endpointPath(p, "path", MetricsConfig.DEFAULT_PATH);
    MetricsConfig metrics = new MetricsConfig(enabled, path, ServerReader.cidrs(m, "allow"));
    p.rejectUnknownKeys();
    m.rejectUnknownKeys();
    return metrics;
  }

  public static HealthConfig readHealth(YamlReader m) {
    HealthConfig h =
        new HealthConfig(
            m.bool("enabled", HealthConfig.DEFAULT.enabled()),
            endpointPath(m, "liveness_path", HealthConfig.DEFAULT_LIVENESS_PATH),
            endpointPath(m, "readiness_path", HealthConfig.DEFAULT_READINESS_PATH));
    m.rejectUnknownKeys();
    return h;
  }

  /** Two built-in endpoints on one path would leave one unreachable. */
  public static void checkPaths(YamlReader doc, MetricsConfig metrics, HealthConfig h) {
    if (!h.enabled()) {
      return;
    }
    if (h.livenessPath().equals(h.readinessPath())) {
      doc.mapping("health")
          .problem("readiness_path", "liveness and readiness need different paths");
    }
    String path = metrics.path();
    if (metrics.enabled() && (path.equals(h.livenessPath()) || path.equals(h.readinessPath()))) {
      doc.mapping("metrics")
          .mapping("prometheus")
          .problem(
              "path",
              "'"
                  + path
                  + "' is also a health endpoint; the metrics and health endpoints need"
                  + " different paths");
    }
  }

  /** A built-in endpoint's path: absolute, matched exactly (no patterns). */
  private static String endpointPath(YamlReader m, String key, String defaultValue) {
    String path = m.string(key, defaultValue);
    if (!path.startsWith("/") || path.contains("*") || path.contains(":")) {
      m.problem(key, "must start with '/' and be an exact path (no * or :), was '" + path + "'");
    }
    return path;
  }
}
