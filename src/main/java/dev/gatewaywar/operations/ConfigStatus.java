package dev.gatewaywar.operations;

import java.time.Instant;
import java.util.Optional;

/**
 * The configuration a gateway serves with.
 *
 * @param file the configuration file's path, or a description of where it came from (such as the
 *     configuration bundled in the WAR)
 * @param digest SHA-256 of the configuration's bytes, in lower-case hex
 * @param loadedAt when the configuration in use was loaded (at start or by the last successful
 *     reload)
 * @param routeCount how many routes it has
 * @param lastReload the outcome of the last reload attempt; empty until one was made
 */
public record ConfigStatus(
    String file,
    String digest,
    Instant loadedAt,
    int routeCount,
    Optional<ReloadResult> lastReload) {

  /** The last reload's error, or empty when it succeeded or none was made. */
  public Optional<String> lastReloadError() {
    return lastReload.flatMap(ReloadResult::error);
  }
}
