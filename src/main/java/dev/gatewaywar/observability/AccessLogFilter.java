package dev.gatewaywar.observability;

import dev.gatewaywar.api.ApiConsumer;
import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.RequestId;
import dev.gatewaywar.observability.internal.AccessLog;
import dev.gatewaywar.observability.internal.CountingRequest;
import dev.gatewaywar.observability.internal.CountingResponse;
import dev.gatewaywar.proxy.UpstreamChoice;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.Level;

/**
 * The {@code logging} middleware on one route: one access-log line per request that reaches it. The
 * line never carries the query string or any header value, where tokens and secrets travel; the
 * path is the one the client asked for, the route is its pattern. A response the client did not get
 * whole keeps the status its head carried and gets a {@code cut} field saying who cut it ({@code
 * upstream} or {@code client}); complete ones have none.
 */
final class AccessLogFilter extends HttpFilter {
  private final String route;
  private final String upstream;
  private final AccessLog log;
  private final Runnable release;
  private final LongSupplier nanoTime;

  AccessLogFilter(
      String route, String upstream, AccessLog log, Runnable release, LongSupplier nanoTime) {
    this.route = route;
    this.upstream = upstream;
    this.log = log;
    this.release = release;
    this.nanoTime = nanoTime;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    long start = nanoTime.getAsLong();
    CountingRequest countedRequest = new CountingRequest(request);
    CountingResponse countedResponse = new CountingResponse(response);
    ChainOutcome.run(
        chain,
        response,
        countedRequest,
        countedResponse,
        (status, ending) -> {
          Level level = AccessLog.levelFor(status, ending == Completion.Ending.UPSTREAM_CUT);
          if (log.isEnabled(level)) {
            Map<String, Object> fields =
                entry(
                    request, status, nanoTime.getAsLong() - start, countedRequest, countedResponse);
            if (ending != Completion.Ending.COMPLETE) {
              fields.put("cut", Labels.cutBy(ending));
            }
            log.write(level, fields);
          }
        });
  }

  private Map<String, Object> entry(
      HttpServletRequest request,
      int status,
      long nanos,
      CountingRequest countedRequest,
      CountingResponse countedResponse) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("method", request.getMethod());
    fields.put("path", request.getRequestURI());
    fields.put("route", route);
    fields.put("status", status);
    fields.put("duration_ms", Math.round(nanos / 1_000.0) / 1_000.0);
    fields.put("bytes_in", countedRequest.bytes());
    fields.put("bytes_out", countedResponse.bytes());
    fields.put("client", request.getRemoteAddr());
    UpstreamChoice choice = UpstreamChoice.from(request).orElse(null);
    fields.put("upstream", choice == null ? upstream : choice.upstream());
    fields.put("attempts", choice == null ? 1 : choice.attempts());
    ApiConsumer.from(request).ifPresent(c -> fields.put("consumer", c));
    RequestId.from(request).ifPresent(id -> fields.put("request_id", id.value()));
    TraceContext.from(request)
        .ifPresent(
            t -> {
              fields.put("trace_id", t.traceId());
              fields.put("span_id", t.spanId());
            });
    return fields;
  }

  @Override
  public void destroy() {
    release.run();
  }
}
