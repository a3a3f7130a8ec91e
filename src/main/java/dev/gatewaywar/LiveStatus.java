package dev.gatewaywar;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.observability.GatewayMetrics.RequestCounts;
import dev.gatewaywar.observability.MetricsMiddleware;
import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import dev.gatewaywar.operations.RouteStatus;
import dev.gatewaywar.operations.TargetStatus;
import dev.gatewaywar.operations.TargetStatus.CircuitState;
import dev.gatewaywar.proxy.ProxyRoute;
import dev.gatewaywar.proxy.UpstreamTarget;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@link GatewayStatus} of one webapp, read from the configuration in use and the metrics'
 * instruments whenever asked. The bootstrap makes it, tells it each configuration that starts
 * serving, and forgets everything in it when the webapp stops.
 */
final class LiveStatus implements GatewayStatus {
  private final GatewayMetrics metrics;

  /** What is served, as one value, so the digest and the routes read together always match. */
  private volatile Loaded loaded;

  private volatile ReloadResult lastReload;

  /** Runs a reload; null when there is no file to reload from, or after the webapp stopped. */
  private volatile Supplier<ReloadResult> reload;

  private final Supplier<Instant> clock;

  private record Loaded(GatewayRuntime runtime, String file, String digest, Instant at) {}

  LiveStatus(GatewayMetrics metrics, Supplier<Instant> clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** {@code runtime} serves new requests from now, built from {@code file} with {@code digest}. */
  void loaded(GatewayRuntime runtime, String file, String digest, Instant at) {
    loaded = new Loaded(runtime, file, digest, at);
  }

  /** A reload attempt ended. */
  void reloaded(ReloadResult result) {
    lastReload = result;
  }

  /** What {@link #reload()} runs: the reloader's. */
  void reloadWith(Supplier<ReloadResult> action) {
    reload = action;
  }

  /**
   * Whether the configuration with {@code digest} is the one in use, and the last reload did not
   * fail (after a failure, the same file again is worth a new attempt: it clears the failure).
   */
  boolean serves(String digest) {
    Loaded l = loaded;
    ReloadResult last = lastReload;
    return l != null && l.digest().equals(digest) && (last == null || last.ok());
  }

  /** The webapp stopped: no reference to its configuration is kept. */
  void close() {
    reload = null;
    Loaded l = loaded;
    if (l != null) {
      loaded = new Loaded(null, l.file(), l.digest(), l.at());
    }
  }

  @Override
  public ConfigStatus config() {
    Loaded l = loaded;
    int routes = l == null || l.runtime() == null ? 0 : l.runtime().config().routes().size();
    return new ConfigStatus(
        l == null ? "" : l.file(),
        l == null ? "" : l.digest(),
        l == null ? Instant.EPOCH : l.at(),
        routes,
        Optional.ofNullable(lastReload));
  }

  @Override
  public ReloadResult reload() {
    Supplier<ReloadResult> r = reload;
    if (r == null) {
      Loaded l = loaded;
      return ReloadResult.failed(
          clock.get(),
          l == null || l.runtime() == null
              ? "the gateway is not running"
              : "no configuration file to reload: the configuration in use is bundled in the WAR");
    }
    return r.get();
  }

  @Override
  public List<RouteStatus> routes() {
    Loaded l = loaded;
    if (l == null || l.runtime() == null) {
      return List.of();
    }
    List<CompiledRoute> compiled = l.runtime().routes();
    GatewayMetrics.RequestReading counts = metrics.readRequests();
    List<RouteStatus> out = new ArrayList<>(compiled.size());
    for (CompiledRoute route : compiled) {
      out.add(route(route, compiled, counts));
    }
    return List.copyOf(out);
  }

  private RouteStatus route(
      CompiledRoute route, List<CompiledRoute> all, GatewayMetrics.RequestReading counts) {
    RouteConfig config = route.config();
    Optional<RouteStatus.Counts> routeCounts = Optional.empty();
    if (config.middleware().contains(MetricsMiddleware.NAME)) {
      RequestCounts c = counts.route(config.path(), config.methods(), takenElsewhere(route, all));
      long inFlight = metrics.inFlightOf(config.path(), config.methods()).orElse(0);
      routeCounts = Optional.of(new RouteStatus.Counts(c.requests(), c.serverErrors(), inFlight));
    }
    return new RouteStatus(
        config.path(),
        config.methods().stream().sorted().toList(),
        config.middleware(),
        targets(route.proxy()),
        routeCounts);
  }

  /** The methods other routes with the same pattern name: not this route's requests. */
  private static Set<String> takenElsewhere(CompiledRoute route, List<CompiledRoute> all) {
    Set<String> taken = new HashSet<>();
    for (CompiledRoute other : all) {
      if (other != route && other.config().path().equals(route.config().path())) {
        taken.addAll(other.config().methods());
      }
    }
    return taken;
  }

  private static List<TargetStatus> targets(ProxyRoute proxy) {
    if (proxy.targets() == null) {
      return List.of(
          new TargetStatus(
              withoutUserInfo(proxy.target()),
              false,
              true,
              CircuitState.CLOSED,
              OptionalInt.empty()));
    }
    List<TargetStatus> out = new ArrayList<>();
    for (UpstreamTarget t : proxy.targets().targets()) {
      out.add(
          new TargetStatus(
              withoutUserInfo(t.url()),
              t.healthChecked(),
              t.healthy(),
              CircuitState.ofMetric(t.breakerState()),
              OptionalInt.of(t.inFlight())));
    }
    return out;
  }

  /** A URL as shown to operators: credentials in it ({@code user:password@}) left out. */
  static String withoutUserInfo(URI url) {
    if (url.getRawUserInfo() == null) {
      return url.toString();
    }
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath())
        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
  }
}
