package dev.gatewaywar.deploy;

import dev.gatewaywar.testing.PrometheusText;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two upstream targets on loopback, {@code a} and {@code b}, behind one route with active health
 * checks, for the deployment tests of several targets (Tomcat, WildFly): each answers with its name
 * and {@code Connection: close} (so a killed target refuses the next request's connection instead
 * of failing a kept-alive one), counts what it served, and {@code b} can be killed and started
 * again on its port.
 */
final class TwoTargets implements AutoCloseable {
  private final Duration interval;
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private final List<TestUpstream> upstreams = new ArrayList<>();
  private final int bPort;
  private final TestUpstream a;
  private TestUpstream b;

  /** When {@code b} last served a request after {@link #restartB}, or 0. */
  private final AtomicLong bServedAfterRestart = new AtomicLong();

  private volatile boolean restarted;

  /**
   * @param interval the health checks' interval: 2 failed checks take a target out, 1 good one
   *     brings it back
   */
  TwoTargets(Duration interval) throws IOException {
    this.interval = interval;
    a = upstream("a", 0);
    try (ServerSocket s = new ServerSocket(0)) {
      bPort = s.getLocalPort();
    }
    b = upstream("b", bPort);
  }

  private TestUpstream upstream(String name, int port) throws IOException {
    TestUpstream u = TestUpstream.start(port);
    served.putIfAbsent(name, new AtomicInteger());
    u.handle(
        "/",
        exchange -> {
          served.get(name).incrementAndGet();
          if (name.equals("b") && restarted) {
            bServedAfterRestart.compareAndSet(0, System.nanoTime());
          }
          exchange.getResponseHeaders().set("Connection", "close");
          TestUpstream.respond(exchange, 200, name);
        });
    u.handle("/healthz", exchange -> TestUpstream.respond(exchange, 200, "up"));
    upstreams.add(u);
    return u;
  }

  /** The gateway configuration: route {@code /api/*} over both targets, metrics on. */
  String config() {
    return """
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: /api/*
            targets: [{url: %s}, {url: %s}]
            health_check:
              path: /healthz
              interval: %dms
              timeout: %dms
              unhealthy_after: 2
              healthy_after: 1
        """
        .formatted(a.url(), b.url(), interval.toMillis(), interval.toMillis());
  }

  Duration interval() {
    return interval;
  }

  /** Requests {@code name} ("a" or "b") has answered so far. */
  int served(String name) {
    return served.get(name).get();
  }

  /** Stops {@code b}: it finishes what it is answering, and refuses every later connection. */
  void killB() {
    b.stop(2);
  }

  /**
   * Starts {@code b} again on its port.
   *
   * @return when ({@link System#nanoTime}) it took connections again
   */
  long restartB() throws IOException {
    restarted = true;
    b = upstream("b", bPort);
    return System.nanoTime();
  }

  /** When {@code b} first served a request after {@link #restartB}; 0 when it has not yet. */
  long bServedAfterRestart() {
    return bServedAfterRestart.get();
  }

  /**
   * {@code gateway_upstream_healthy} of {@code b} in a {@code /metrics} answer: 1 healthy, 0 out.
   */
  double bHealthy(HttpResponse<String> metrics) {
    return PrometheusText.parse(metrics.body()).samples().stream()
        .filter(s -> s.name().equals("gateway_upstream_healthy"))
        .filter(s -> s.labels().getOrDefault("target", "").contains(":" + bPort))
        .mapToDouble(PrometheusText.Sample::value)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no health of b in:\n" + metrics.body()));
  }

  @Override
  public void close() {
    upstreams.forEach(TestUpstream::close);
  }
}
