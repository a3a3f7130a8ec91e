package dev.gatewaywar.observability;

import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.GatewayException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The {@code metrics} middleware on one route: counts and times what reaches it, labelled with the
 * route's pattern. A {@link GatewayException} thrown further down the chain (an auth filter's 401)
 * is counted with the status the gateway is about to answer with. A response the client did not get
 * whole is counted with the status its head carried, and once more by who cut it.
 */
final class MetricsFilter extends HttpFilter {
  private static final double NANOS_PER_SECOND = 1e9;

  private final String route;
  private final Counter requests;
  private final Histogram duration;
  private final LongAdder inFlight;
  private final Counter cut;
  private final LongSupplier nanoTime;

  MetricsFilter(String route, LongAdder inFlight, GatewayMetrics metrics, LongSupplier nanoTime) {
    this.route = route;
    this.requests = metrics.requests;
    this.duration = metrics.requestDuration;
    this.inFlight = inFlight;
    this.cut = metrics.responsesCut;
    this.nanoTime = nanoTime;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    inFlight.increment();
    long start = nanoTime.getAsLong();
    ChainOutcome.run(
        chain,
        response,
        request,
        response,
        (status, ending) -> {
          String method = Labels.method(request.getMethod());
          duration
              .labelValues(method, route)
              .observe((nanoTime.getAsLong() - start) / NANOS_PER_SECOND);
          requests.labelValues(method, route, Labels.status(status)).inc();
          if (ending != Completion.Ending.COMPLETE) {
            cut.labelValues(route, Labels.cutBy(ending)).inc();
          }
          // last, so a scrape that sees no request in flight sees every finished one counted
          inFlight.decrement();
        });
  }
}
