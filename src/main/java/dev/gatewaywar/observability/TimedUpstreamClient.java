package dev.gatewaywar.observability;

import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.proxy.UpstreamResponse;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.net.URI;
import java.util.Locale;
import java.util.function.LongSupplier;

/** An {@link UpstreamClient} that times each exchange up to the upstream's response headers. */
final class TimedUpstreamClient implements UpstreamClient {
  private static final double NANOS_PER_SECOND = 1e9;

  private final UpstreamClient delegate;
  private final Histogram duration;
  private final Counter failures;
  private final LongSupplier nanoTime;

  TimedUpstreamClient(
      UpstreamClient delegate, Histogram duration, Counter failures, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.duration = duration;
    this.failures = failures;
    this.nanoTime = nanoTime;
  }

  @Override
  public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
    long start = nanoTime.getAsLong();
    try {
      UpstreamResponse response = delegate.send(request);
      duration
          .labelValues(upstream(request.uri()))
          .observe((nanoTime.getAsLong() - start) / NANOS_PER_SECOND);
      return response;
    } catch (UpstreamException e) {
      failures
          .labelValues(upstream(request.uri()), e.failure().name().toLowerCase(Locale.ROOT))
          .inc();
      throw e;
    }
  }

  /** {@code scheme://host:port} of the target: the route's configured upstream, never the path. */
  private static String upstream(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
