package dev.gatewaywar.proxy;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.config.UpstreamSet.HealthCheck;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The targets of a webapp's routes with several targets: one per webapp, outliving each
 * configuration. It runs the active health checks (one thread for the webapp, started with the
 * first check and joined at {@link #close}; the checks themselves are requests on the upstream
 * client, so no thread waits for them), keeps each target's health across reloads for as long as a
 * configuration has the same route and target, and lists the targets in use for the metrics.
 */
public final class TargetMonitor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TargetMonitor.class.getName());

  /** Trial calls a half-open breaker lets through before it decides. */
  static final int HALF_OPEN_CALLS = 3;

  private final UpstreamClient client;
  private final Clock clock;
  private final Object lock = new Object();

  /** Guarded by {@link #lock}. */
  private final Map<Key, TargetHealth> health = new HashMap<>();

  /** The targets of the newest configuration that has each, for the metrics. */
  private final Map<Key, Live> live = new ConcurrentHashMap<>();

  private final AtomicReference<Thread> thread = new AtomicReference<>();
  private ScheduledThreadPoolExecutor scheduler;
  private boolean closed;

  /**
   * @param client sends the health checks
   * @param clock the circuit breakers' time (how long one stays open)
   */
  public TargetMonitor(UpstreamClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A route's target as one configuration has it, keyed by route (pattern, methods) and URL. */
  private record Key(String path, Set<String> methods, URI url) {}

  private record Live(String route, UpstreamTarget target) {}

  /** Receives one target's state ({@link #forEachTarget}). */
  @FunctionalInterface
  public interface TargetView {
    void accept(String route, String target, boolean healthy, int breakerState);
  }

  /** The targets of {@code route} for a configuration being built; closed with it. */
  public UpstreamTargets open(RouteConfig route) {
    UpstreamSet set = route.upstreams();
    List<UpstreamSet.Target> listed = set.targets();
    UpstreamTarget[] targets = new UpstreamTarget[listed.size()];
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < targets.length; i++) {
      URI url = listed.get(i).url();
      Key key = new Key(route.path(), route.methods(), url);
      TargetHealth h = set.healthCheck().map(c -> acquireHealth(key, route, c)).orElse(null);
      CircuitBreaker b = set.circuitBreaker().map(c -> breaker(route.path(), url, c)).orElse(null);
      targets[i] = new UpstreamTarget(route.path(), i, url, listed.get(i).weight(), h, b);
      keys.add(key);
      live.put(key, new Live(route.path(), targets[i]));
    }
    return new UpstreamTargets(
        route.path(),
        targets,
        Balancer.of(set.balance(), targets),
        set.retryPolicy(),
        () -> release(keys, targets, set.healthCheck().isPresent()));
  }

  /** Every target in use, with its health and its breaker's state. */
  public void forEachTarget(TargetView view) {
    for (Live l : live.values()) {
      view.accept(l.route(), l.target().base(), l.target().healthy(), l.target().breakerState());
    }
  }

  private CircuitBreaker breaker(String route, URI url, UpstreamSet.CircuitBreaker c) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(c.failureRate())
            .slidingWindow(
                c.window(), c.window(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .waitDurationInOpenState(c.openFor())
            .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_CALLS)
            // no timer thread: an open breaker turns half-open when a request next asks
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .clock(clock)
            .build();
    return CircuitBreaker.of(route + " " + url, config);
  }

  private TargetHealth acquireHealth(Key key, RouteConfig route, HealthCheck check) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("target monitor closed");
      }
      TargetHealth h =
          health.computeIfAbsent(key, k -> new TargetHealth(route.path(), k.url().toString()));
      h.users++;
      // the newest configuration's timeout and TLS (an https target checked as its route sends);
      // the settings replaced no longer hold their TLS pool
      UpstreamClient.RouteSettings previous = h.settings;
      h.settings =
          client.settingsFor(new TimeoutsConfig(check.timeout(), check.timeout()), route.tls());
      if (previous != null) {
        previous.release();
      }
      if (!check.equals(h.check)) {
        if (h.task != null) {
          h.task.cancel(false);
        }
        h.check = check;
        long interval = check.interval().toNanos();
        // a random first delay spreads the checks of many targets over the interval
        h.task =
            scheduler()
                .scheduleAtFixedRate(
                    () -> check(h, key.url()),
                    ThreadLocalRandom.current().nextLong(interval),
                    interval,
                    TimeUnit.NANOSECONDS);
      }
      return h;
    }
  }

  private void release(List<Key> keys, UpstreamTarget[] targets, boolean checked) {
    for (int i = 0; i < keys.size(); i++) {
      live.remove(keys.get(i), new Live(keys.get(i).path(), targets[i]));
    }
    if (!checked) {
      return;
    }
    synchronized (lock) {
      for (Key key : keys) {
        TargetHealth h = health.get(key);
        if (h != null && --h.users == 0) {
          h.task.cancel(false);
          health.remove(key);
          h.settings.release();
        }
      }
    }
  }

  private ScheduledThreadPoolExecutor scheduler() {
    if (scheduler == null) {
      scheduler = OwnThreads.scheduler("gateway-health-checks", thread);
    }
    return scheduler;
  }

  /** Sends one check, unless the previous one of this target is still out. */
  private void check(TargetHealth h, URI target) {
    HealthCheck settings;
    synchronized (lock) {
      if (h.checking || closed) {
        return;
      }
      h.checking = true;
      settings = h.check;
    }
    String base = target.toString();
    URI uri =
        URI.create(
            (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + settings.path());
    UpstreamRequest request =
        new UpstreamRequest(
            "GET",
            uri,
            List.of(Map.entry("User-Agent", "gateway.war health check")),
            null,
            "health-check",
            h.settings);
    try {
      client.send(request, new Check(h));
    } catch (RuntimeException e) {
      // the upstream client is closing with the webapp
      done(h);
    }
  }

  private void done(TargetHealth h) {
    synchronized (lock) {
      h.checking = false;
    }
  }

  /** One check's answer: its status decides, its body is not read. */
  private final class Check implements UpstreamHandler {
    private final TargetHealth h;
    private final HealthCheck settings;

    Check(TargetHealth target) {
      this.h = target;
      this.settings = target.check;
    }

    @Override
    public void onResponse(UpstreamResponse response) {
      int status = response.status();
      response.abort();
      h.record(status >= 200 && status < 400, settings, "status " + status);
      done(h);
    }

    @Override
    public boolean onBody(ByteBuffer chunk, boolean moreWaiting) {
      return true;
    }

    @Override
    public void onEnd() {
      // the answer was judged by its status
    }

    @Override
    public void onFailure(UpstreamException failure) {
      h.record(false, settings, failure.failure().name().toLowerCase(java.util.Locale.ROOT));
      done(h);
    }
  }

  /** Stops the checks and waits (5 s at most) for their thread to end. */
  @Override
  public void close() {
    ScheduledThreadPoolExecutor s;
    synchronized (lock) {
      closed = true;
      health.values().forEach(h -> h.task.cancel(false));
      health.values().forEach(h -> h.settings.release());
      health.clear();
      s = scheduler;
    }
    live.clear();
    if (s == null) {
      return;
    }
    OwnThreads.stop(s, thread.get(), "health check");
  }
}
