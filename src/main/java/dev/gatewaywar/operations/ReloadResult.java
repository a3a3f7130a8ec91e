package dev.gatewaywar.operations;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one reload attempt.
 *
 * @param at when the attempt ended
 * @param error why the configuration was refused (with keys and lines, secrets masked); empty when
 *     the new configuration is in use
 */
public record ReloadResult(Instant at, Optional<String> error) {
  public ReloadResult {
    Objects.requireNonNull(at);
    Objects.requireNonNull(error);
  }

  public static ReloadResult ok(Instant at) {
    return new ReloadResult(at, Optional.empty());
  }

  public static ReloadResult failed(Instant at, String error) {
    return new ReloadResult(at, Optional.of(error));
  }

  public boolean ok() {
    return error.isEmpty();
  }
}
