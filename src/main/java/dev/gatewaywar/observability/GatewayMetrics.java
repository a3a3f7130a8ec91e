package dev.gatewaywar.observability;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.proxy.TargetMonitor;
import dev.gatewaywar.proxy.UpstreamClient;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The gateway's Prometheus metrics: one registry per deployed webapp (never the client library's
 * static default one, so two gateways in one JVM keep their own counts and an undeployed one leaves
 * nothing behind), with every family the gateway exports registered up front.
 *
 * <p>The bootstrap creates them once per webapp and passes them to what records into or exposes
 * them as that is built (the built-in middleware, the front controller, the reloader, the metrics
 * endpoint); recording goes through the methods here:
 *
 * <pre>{@code
 * metrics.rateLimitRejected(route.path());   // per 429
 * metrics.authFailed(route.path(), "invalid_token");   // per 401
 * metrics.configReloaded(true, clock.instant());   // per reload attempt
 * }</pre>
 *
 * Label values must come from a bounded set (route patterns, fixed reason codes), never from the
 * request, so the number of series stays bounded.
 */
public final class GatewayMetrics {
  /**
   * Request and upstream latency buckets, in seconds: from a cache hit on loopback
   * (sub-millisecond) to the longest read timeout a gateway usually allows (tens of seconds).
   */
  static final double[] LATENCY_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final PrometheusRegistry registry;
  final Counter requests;
  final Histogram requestDuration;

  /**
   * Requests inside each route's metrics filter, by route (pattern and methods): summed into {@code
   * gateway_requests_in_flight}, and read per route by the status pages. One entry per route a
   * configuration ever had, made when its filter is built, never per request.
   */
  private final Map<String, LongAdder> inFlightByRoute = new ConcurrentHashMap<>();

  final Counter responsesCut;
  final Histogram upstreamDuration;
  final Counter upstreamFailures;
  final Counter upstreamRetries;
  private final Counter rateLimitRejections;
  private final Counter authFailures;
  private final Counter configReloads;
  private final Gauge configLastReloadSuccess;
  private final Gauge configLastReloadSuccessTime;
  private final Counter rateLimitBackendErrors;

  private GatewayMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    requests =
        Counter.builder()
            .name("gateway_requests_total")
            .help("Requests through routes that list the metrics middleware")
            .labelNames("method", "path", "status")
            .withoutExemplars()
            .register(registry);
    requestDuration =
        Histogram.builder()
            .name("gateway_request_duration_seconds")
            .help("Time from the metrics middleware to the end of the response, by route")
            .labelNames("method", "path")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    GaugeWithCallback.builder()
        .name("gateway_requests_in_flight")
        .help("Requests inside the metrics middleware right now")
        .callback(cb -> cb.call(inFlightNow()))
        .register(registry);
    responsesCut =
        Counter.builder()
            .name("gateway_responses_cut_total")
            .help(
                "Responses counted by the metrics middleware that the client did not get whole,"
                    + " by who cut them (upstream, client)")
            .labelNames("path", "by")
            .withoutExemplars()
            .register(registry);
    upstreamDuration =
        Histogram.builder()
            .name("gateway_upstream_duration_seconds")
            .help("Time from sending to an upstream until its status and headers arrived")
            .labelNames("upstream")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    upstreamFailures =
        Counter.builder()
            .name("gateway_upstream_failures_total")
            .help("Upstream exchanges that failed before a response, by cause")
            .labelNames("upstream", "cause")
            .withoutExemplars()
            .register(registry);
    upstreamRetries =
        Counter.builder()
            .name("gateway_upstream_retries_total")
            .help(
                "Attempts after a request's first (retries and moves to another target after a"
                    + " connect failure), by route")
            .labelNames("route")
            .withoutExemplars()
            .register(registry);
    rateLimitRejections =
        Counter.builder()
            .name("gateway_ratelimit_rejections_total")
            .help("Requests answered 429 by the ratelimit middleware")
            .labelNames("path")
            .withoutExemplars()
            .register(registry);
    authFailures =
        Counter.builder()
            .name("gateway_auth_failures_total")
            .help("Requests answered 401 by the auth middleware, by reason")
            .labelNames("path", "reason")
            .withoutExemplars()
            .register(registry);
    configReloads =
        Counter.builder()
            .name("gateway_config_reload_total")
            .help("Configuration reload attempts, by result")
            .labelNames("result")
            .withoutExemplars()
            .register(registry);
    // named as Prometheus names its own (prometheus_config_last_reload_successful...), so the
    // alert rules people already have for those read the same way
    configLastReloadSuccess =
        Gauge.builder()
            .name("gateway_config_last_reload_success")
            .help("1 when the last configuration load (at start or reload) succeeded, else 0")
            .withoutExemplars()
            .register(registry);
    configLastReloadSuccessTime =
        Gauge.builder()
            .name("gateway_config_last_reload_success_timestamp_seconds")
            .help("When the configuration in use was loaded, in seconds since the epoch")
            .withoutExemplars()
            .register(registry);
    rateLimitBackendErrors =
        Counter.builder()
            .name("gateway_ratelimit_backend_errors_total")
            .help(
                "Rate-limit backend (Redis) calls that failed; each such request followed"
                    + " on_backend_error")
            .labelNames("backend")
            .withoutExemplars()
            .register(registry);
    // present from the start, so a dashboard shows 0 rather than "no data" until the first reload
    configReloads.initLabelValues("success");
    configReloads.initLabelValues("failure");
  }

  /**
   * A fresh set of the gateway's metrics plus the JVM's, in a registry of its own. Every family is
   * built without exemplars: the client library samples them on a static scheduler thread that
   * nothing can stop, which Tomcat rightly reports as a leak when the webapp is undeployed. The
   * JVM's allocation-per-pool metric is left out: it adds a listener to the platform's
   * garbage-collector beans that cannot be removed, which would keep an undeployed webapp's classes
   * in memory.
   */
  public static GatewayMetrics create() {
    PrometheusRegistry registry = new PrometheusRegistry();
    GatewayMetrics metrics = new GatewayMetrics(registry);
    JvmThreadsMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
    return metrics;
  }

  private double inFlightNow() {
    long sum = 0;
    for (LongAdder a : inFlightByRoute.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** The in-flight count of the route with {@code pattern} and {@code methods}, made once. */
  LongAdder inFlight(String pattern, Set<String> methods) {
    return inFlightByRoute.computeIfAbsent(routeKey(pattern, methods), k -> new LongAdder());
  }

  /**
   * Requests inside the {@code metrics} filter of the route with {@code pattern} and {@code
   * methods} now; empty when no configuration gave that route the filter.
   */
  public OptionalLong inFlightOf(String pattern, Set<String> methods) {
    LongAdder a = inFlightByRoute.get(routeKey(pattern, methods));
    return a == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, a.sum()));
  }

  private static String routeKey(String pattern, Set<String> methods) {
    return pattern + " " + new TreeSet<>(methods);
  }

  /**
   * A reading of {@code gateway_requests_total} now. Reads every series once, so a status page
   * reads it once for all its routes.
   */
  public RequestReading readRequests() {
    Map<String, Map<String, RequestCounts>> byPath = new HashMap<>();
    for (CounterSnapshot.CounterDataPointSnapshot p : requests.collect().getDataPoints()) {
      var labels = p.getLabels(); // Prometheus's labels, not this package's Labels
      long n = (long) p.getValue();
      boolean serverError = labels.get("status").startsWith("5");
      byPath
          .computeIfAbsent(labels.get("path"), k -> new HashMap<>())
          .merge(
              labels.get("method"), new RequestCounts(n, serverError ? n : 0), RequestCounts::plus);
    }
    return new RequestReading(byPath);
  }

  /**
   * Requests in {@code gateway_requests_total}.
   *
   * @param requests every status
   * @param serverErrors those answered with a 5xx status
   */
  public record RequestCounts(long requests, long serverErrors) {
    public static final RequestCounts NONE = new RequestCounts(0, 0);

    RequestCounts plus(RequestCounts other) {
      return new RequestCounts(requests + other.requests, serverErrors + other.serverErrors);
    }
  }

  /** {@code gateway_requests_total} as read at one moment, by route pattern and method label. */
  public static final class RequestReading {
    private final Map<String, Map<String, RequestCounts>> byPath;

    RequestReading(Map<String, Map<String, RequestCounts>> byPath) {
      this.byPath = byPath;
    }

    /**
     * The requests of one route. Routes sharing a pattern share its {@code path} label, so each is
     * told apart by method: a route with {@code methods} counts those; one taking every method
     * counts every method no route of the same pattern names ({@code takenElsewhere}).
     */
    public RequestCounts route(String pattern, Set<String> methods, Set<String> takenElsewhere) {
      Map<String, RequestCounts> byMethod = byPath.getOrDefault(pattern, Map.of());
      Set<String> listed = new HashSet<>();
      (methods.isEmpty() ? takenElsewhere : methods).forEach(m -> listed.add(Labels.method(m)));
      RequestCounts sum = RequestCounts.NONE;
      for (Map.Entry<String, RequestCounts> e : byMethod.entrySet()) {
        if (listed.contains(e.getKey()) != methods.isEmpty()) {
          sum = sum.plus(e.getValue());
        }
      }
      return sum;
    }
  }

  /** One failed call to the rate-limit backend ({@code redis}). */
  public void rateLimitBackendFailed(String backend) {
    rateLimitBackendErrors.labelValues(backend).inc();
  }

  /**
   * Exposes the targets of routes with several ({@code targets:}): {@code
   * gateway_upstream_healthy{route,target}} (1 healthy, 0 out after failed health checks) and
   * {@code gateway_circuit_breaker_state{route,target}} (0 closed, 1 open, 2 half-open), read from
   * {@code targets} at each scrape. Called once per webapp.
   */
  public void watchTargets(TargetMonitor targets) {
    GaugeWithCallback.builder()
        .name("gateway_upstream_healthy")
        .help("1 while a target passes its health checks (or has none), 0 while it is out")
        .labelNames("route", "target")
        .callback(
            cb ->
                targets.forEachTarget(
                    (route, target, healthy, breaker) -> cb.call(healthy ? 1 : 0, route, target)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("gateway_circuit_breaker_state")
        .help("A target's circuit breaker: 0 closed, 1 open, 2 half-open")
        .labelNames("route", "target")
        .callback(
            cb ->
                targets.forEachTarget(
                    (route, target, healthy, breaker) -> cb.call(breaker, route, target)))
        .register(registry);
  }

  /** One attempt after a request's first on the route with pattern {@code route}. */
  public void upstreamRetried(String route) {
    upstreamRetries.labelValues(route).inc();
  }

  /**
   * Exposes {@code gateway_retry_buffer_bytes}: the bytes of request bodies kept for retries now,
   * read from {@code kept} at each scrape. Called once per webapp.
   */
  public void watchRetryBuffer(LongSupplier kept) {
    GaugeWithCallback.builder()
        .name("gateway_retry_buffer_bytes")
        .help("Bytes of request bodies kept for retries now (at most upstream.retry_buffer)")
        .callback(cb -> cb.call(kept.getAsLong()))
        .register(registry);
  }

  /** The registry the metrics endpoint exposes. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * {@code upstream} with its exchanges timed into {@code gateway_upstream_duration_seconds} and
   * failures counted in {@code gateway_upstream_failures_total}, labelled with the target's {@code
   * scheme://host:port} (a value from the configuration, so bounded).
   */
  public UpstreamClient timing(UpstreamClient upstream) {
    return new TimedUpstreamClient(upstream, upstreamDuration, upstreamFailures, System::nanoTime);
  }

  /**
   * A request a route's filter refused with {@code error}: a 429 counts as a rate-limit rejection,
   * auth's 401s and 403 as an auth failure (reason {@code missing_token}, {@code invalid_token} or
   * {@code forbidden}); other refusals ({@code ip_filter}'s 403 among them) are in {@code
   * gateway_requests_total} only.
   */
  public void refused(String path, GatewayError error) {
    switch (error) {
      case RATE_LIMITED -> rateLimitRejected(path);
      case MISSING_TOKEN -> authFailed(path, "missing_token");
      case INVALID_TOKEN -> authFailed(path, "invalid_token");
      case FORBIDDEN -> authFailed(path, "forbidden");
      default -> {
        // not a rate-limit or auth refusal
      }
    }
  }

  /** One request answered 429 by rate limiting on the route with pattern {@code path}. */
  public void rateLimitRejected(String path) {
    rateLimitRejections.labelValues(path).inc();
  }

  /**
   * One request answered 401 on the route with pattern {@code path}.
   *
   * @param reason a fixed code such as {@code missing_token} or {@code invalid_token}, never text
   *     taken from the request or the token
   */
  public void authFailed(String path, String reason) {
    authFailures.labelValues(path, reason).inc();
  }

  /** The configuration the gateway started with was loaded {@code at}. */
  public void configLoaded(Instant at) {
    configLastReloadSuccess.set(1);
    configLastReloadSuccessTime.set(at.toEpochMilli() / 1000.0);
  }

  /**
   * One configuration reload attempt: {@code result="success"} or {@code "failure"}; a success also
   * moves {@code gateway_config_last_reload_success_timestamp_seconds} to {@code at}.
   */
  public void configReloaded(boolean success, Instant at) {
    configReloads.labelValues(success ? "success" : "failure").inc();
    configLastReloadSuccess.set(success ? 1 : 0);
    if (success) {
      configLastReloadSuccessTime.set(at.toEpochMilli() / 1000.0);
    }
  }
}
