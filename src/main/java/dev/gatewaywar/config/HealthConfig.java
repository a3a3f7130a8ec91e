package dev.gatewaywar.config;

/**
 * {@code health:} block: the liveness and readiness endpoints, answered before route matching.
 *
 * @param enabled false frees both paths for routes
 * @param livenessPath answers 200 while the webapp runs
 * @param readinessPath answers 200 once the configuration is loaded and serving, 503 while the
 *     gateway shuts down
 */
public record HealthConfig(boolean enabled, String livenessPath, String readinessPath) {
  public static final String DEFAULT_LIVENESS_PATH = "/healthz";
  public static final String DEFAULT_READINESS_PATH = "/readyz";
  public static final HealthConfig DEFAULT =
      new HealthConfig(true, DEFAULT_LIVENESS_PATH, DEFAULT_READINESS_PATH);
}
