package dev.gatewaywar.jmx;

/**
 * {@code dev.gatewaywar:type=Gateway,context="..."}: the configuration one webapp serves, and a
 * reload of it on demand.
 */
public interface GatewayMBean {
  /**
   * The configuration file in use, as given; {@code WAR:/WEB-INF/gateway.yaml} for the bundled one.
   */
  String getConfigFile();

  /** SHA-256 of the configuration's content, in lower-case hex. */
  String getConfigDigest();

  /** When the configuration in use was loaded (ISO-8601, UTC). */
  String getLoadedAt();

  /** How many routes the configuration in use has. */
  int getRouteCount();

  /** Why the last reload was rejected; empty when it succeeded (or none was tried). */
  String getLastReloadError();

  /**
   * Reads the configuration file again and applies it when it changed, as a noticed change would.
   *
   * @return one line saying what happened
   */
  String reload();
}
