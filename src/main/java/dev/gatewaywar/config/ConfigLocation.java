package dev.gatewaywar.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the configuration comes from, first found wins: the JVM system property {@value #PROPERTY};
 * the environment variable {@value #ENVIRONMENT}; the servlet context init-param {@value
 * #PROPERTY}; else the file bundled in the WAR ({@value #BUNDLED}).
 *
 * @param file the file to read, or empty for the bundled default
 * @param origin how it was chosen, for the start-up log line
 */
public record ConfigLocation(Optional<Path> file, String origin) {
  public static final String PROPERTY = "gateway.config";
  public static final String ENVIRONMENT = "GATEWAY_CONFIG";
  public static final String BUNDLED = "/WEB-INF/gateway.yaml";

  /**
   * @param systemProperties looks up JVM system properties
   * @param environment looks up environment variables
   * @param initParameter looks up servlet context init-params (null outside a container)
   */
  public static ConfigLocation resolve(
      UnaryOperator<String> systemProperties,
      UnaryOperator<String> environment,
      UnaryOperator<String> initParameter) {
    String value = blankToNull(systemProperties.apply(PROPERTY));
    if (value != null) {
      return new ConfigLocation(Optional.of(Path.of(value)), "system property " + PROPERTY);
    }
    value = blankToNull(environment.apply(ENVIRONMENT));
    if (value != null) {
      return new ConfigLocation(Optional.of(Path.of(value)), "environment variable " + ENVIRONMENT);
    }
    value = blankToNull(initParameter.apply(PROPERTY));
    if (value != null) {
      return new ConfigLocation(Optional.of(Path.of(value)), "context init-param " + PROPERTY);
    }
    return new ConfigLocation(Optional.empty(), "bundled " + BUNDLED);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** What to name in messages: the file, or the bundled default. */
  public String describe() {
    return file.map(Path::toString).orElse("WAR:" + BUNDLED);
  }
}
