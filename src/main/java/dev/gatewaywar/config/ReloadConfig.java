package dev.gatewaywar.config;

import java.time.Duration;

/**
 * {@code server.reload:} block: whether the gateway watches its configuration file and applies a
 * changed one without a restart. The bundled default in the WAR is never watched.
 *
 * @param enabled watch the file
 * @param interval how often the file's content is compared with the one in use; file-system events
 *     wake the watcher sooner, this is the bound when none arrive (network and overlay file
 *     systems, some ConfigMap mounts)
 * @param debounce how long a changed file must stay unchanged before it is read as the new
 *     configuration, so a file written in several steps is not read half-written
 */
public record ReloadConfig(boolean enabled, Duration interval, Duration debounce) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(200);

  /** Shorter than this, the watcher would spend its time re-reading an unchanged file. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(50);

  public static final ReloadConfig DEFAULT =
      new ReloadConfig(true, DEFAULT_INTERVAL, DEFAULT_DEBOUNCE);
}
