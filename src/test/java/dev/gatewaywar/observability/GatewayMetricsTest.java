package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.testing.PrometheusText;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The metrics other features record through (rate limiting, auth, reloads), and the JVM's. */
class GatewayMetricsTest {

  private static PrometheusText text(GatewayMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create()
        .write(out, metrics.registry().scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return PrometheusText.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void hooksForOtherFeaturesCountByRouteAndReason() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.create();
    metrics.rateLimitRejected("/users/:id");
    metrics.rateLimitRejected("/users/:id");
    metrics.authFailed("/admin", "invalid_token");
    metrics.configReloaded(true, Instant.ofEpochSecond(1_700_000_000));

    PrometheusText m = text(metrics);

    assertEquals("counter", m.type("gateway_ratelimit_rejections_total").orElseThrow());
    assertEquals(2, m.value("gateway_ratelimit_rejections_total", Map.of("path", "/users/:id")));
    assertEquals(
        1,
        m.value(
            "gateway_auth_failures_total", Map.of("path", "/admin", "reason", "invalid_token")));
    assertEquals(1, m.value("gateway_config_reload_total", Map.of("result", "success")));
    assertEquals(0, m.value("gateway_config_reload_total", Map.of("result", "failure")));
    assertEquals(1, m.value("gateway_config_last_reload_success", Map.of()));
    assertEquals(
        1_700_000_000, m.value("gateway_config_last_reload_success_timestamp_seconds", Map.of()));
  }

  @Test
  void retriesCountByRouteAndTheKeptBytesAreReadAtEachScrape() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.create();
    AtomicLong kept = new AtomicLong(4096);
    metrics.watchRetryBuffer(kept::get);
    metrics.upstreamRetried("/orders/*");
    metrics.upstreamRetried("/orders/*");

    PrometheusText m = text(metrics);
    assertEquals("counter", m.type("gateway_upstream_retries_total").orElseThrow());
    assertEquals(2, m.value("gateway_upstream_retries_total", Map.of("route", "/orders/*")));
    assertEquals(4096, m.value("gateway_retry_buffer_bytes", Map.of()));
    kept.set(0);
    assertEquals(0, text(metrics).value("gateway_retry_buffer_bytes", Map.of()));
  }

  @Test
  void anAddressRefusalIsNotAnAuthFailure() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.create();
    metrics.refused("/admin", GatewayError.ADDRESS_REFUSED);
    metrics.refused("/admin", GatewayError.FORBIDDEN);

    assertEquals(
        1,
        text(metrics)
            .value("gateway_auth_failures_total", Map.of("path", "/admin", "reason", "forbidden")));
  }

  @Test
  void aFailedReloadClearsLastSuccessButKeepsItsTime() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.create();
    metrics.configLoaded(Instant.ofEpochSecond(1_700_000_000));
    metrics.configReloaded(false, Instant.ofEpochSecond(1_700_000_100));

    PrometheusText m = text(metrics);
    assertEquals("gauge", m.type("gateway_config_last_reload_success").orElseThrow());
    assertEquals(0, m.value("gateway_config_last_reload_success", Map.of()));
    assertEquals(
        1_700_000_000, m.value("gateway_config_last_reload_success_timestamp_seconds", Map.of()));
    assertEquals(1, m.value("gateway_config_reload_total", Map.of("result", "failure")));
  }

  @Test
  void jvmAndProcessMetricsAreIncluded() throws Exception {
    PrometheusText m = text(GatewayMetrics.create());

    assertEquals("gauge", m.type("jvm_memory_used_bytes").orElseThrow());
    assertTrue(m.type("jvm_threads_current").isPresent(), "threads");
    assertTrue(m.type("jvm_gc_collection_seconds").isPresent(), "gc");
    assertTrue(m.type("process_cpu_seconds_total").isPresent(), "process");
  }

  @Test
  void eachInstanceHasItsOwnRegistry() throws Exception {
    GatewayMetrics a = GatewayMetrics.create();
    GatewayMetrics b = GatewayMetrics.create();
    a.configReloaded(false, Instant.EPOCH);

    assertEquals(1, text(a).value("gateway_config_reload_total", Map.of("result", "failure")));
    assertEquals(0, text(b).value("gateway_config_reload_total", Map.of("result", "failure")));
  }
}
