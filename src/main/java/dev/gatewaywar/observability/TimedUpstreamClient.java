package dev.gatewaywar.observability;

import dev.gatewaywar.config.RouteTls;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.proxy.ForwardingUpstreamHandler;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.proxy.UpstreamResponse;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * An {@link UpstreamClient} that times each exchange up to the upstream's response headers, and
 * counts the exchanges that failed before them.
 */
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
  public RouteSettings settingsFor(TimeoutsConfig timeouts, Optional<RouteTls> tls) {
    return delegate.settingsFor(timeouts, tls);
  }

  @Override
  public void send(UpstreamRequest request, UpstreamHandler handler) {
    delegate.send(request, new Timed(request.uri(), nanoTime.getAsLong(), handler));
  }

  /** Observes the time to the response's head, or counts the failure that came instead. */
  private final class Timed extends ForwardingUpstreamHandler {
    private final URI uri;
    private final long start;
    private boolean answered;

    Timed(URI uri, long start, UpstreamHandler handler) {
      super(handler);
      this.uri = uri;
      this.start = start;
    }

    @Override
    public void onResponse(UpstreamResponse response) {
      answered = true;
      duration
          .labelValues(upstream(uri))
          .observe((nanoTime.getAsLong() - start) / NANOS_PER_SECOND);
      next.onResponse(response);
    }

    @Override
    public void onFailure(UpstreamException failure) {
      if (!answered) {
        failures
            .labelValues(upstream(uri), failure.failure().name().toLowerCase(Locale.ROOT))
            .inc();
      }
      next.onFailure(failure);
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
