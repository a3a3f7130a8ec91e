package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.AdminConfig;
import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.HealthConfig;
import dev.gatewaywar.config.MetricsConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the blocks of the built-in endpoints: {@code metrics:}, {@code health:} and {@code admin:}.
 */
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

  public static AdminConfig readAdmin(YamlReader m) {
    boolean enabled = m.bool("enabled", AdminConfig.DEFAULT.enabled());
    String path = endpointPath(m, "path", AdminConfig.DEFAULT_PATH);
    if (path.length() > 1 && path.endsWith("/")) {
      m.problem(
          "path", "must not end with '/' (the JSON view is at path + '/api'), was '" + path + "'");
    }
    List<Cidr> allow = AdminConfig.DEFAULT_ALLOW;
    if (m.has("allow")) {
      allow = ServerReader.cidrs(m, "allow");
      if (allow.isEmpty()) {
        m.problem(
            "allow",
            "must list who may read the admin page (0.0.0.0/0 and ::/0 would let everyone)");
      }
    }
    AdminConfig admin = new AdminConfig(enabled, path, allow);
    m.rejectUnknownKeys();
    return admin;
  }

  /** The admin page and its JSON view on a path another built-in endpoint answers: unreachable. */
  public static void checkAdminPaths(
      YamlReader doc, AdminConfig admin, MetricsConfig metrics, HealthConfig h) {
    if (!admin.enabled()) {
      return;
    }
    List<String> taken = new ArrayList<>();
    if (metrics.enabled()) {
      taken.add(metrics.path());
    }
    if (h.enabled()) {
      taken.add(h.livenessPath());
      taken.add(h.readinessPath());
    }
    for (String path : List.of(admin.path(), admin.apiPath())) {
      if (taken.contains(path)) {
        doc.mapping("admin")
            .problem(
                "path",
                "'"
                    + path
                    + "' is also a metrics or health endpoint; the admin page needs a path of"
                    + " its own");
        return;
      }
    }
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
