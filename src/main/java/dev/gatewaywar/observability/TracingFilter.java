package dev.gatewaywar.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerRoute;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerRouteSource;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tracing} middleware on one route: continues the client's W3C trace context (or starts
 * a trace), runs the rest of the chain in a server span named after the route pattern, and hands
 * the upstream a {@code traceparent} naming that span. With the agent attached, the agent's server
 * span is renamed after the route instead, and the agent's client span propagates.
 */
final class TracingFilter extends HttpFilter {
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

  private static final TextMapGetter<HttpServletRequest> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest request) {
          return Collections.list(request.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest request, String key) {
          return request == null ? null : request.getHeader(key);
        }
      };

  private final String route;
  private final Tracing tracing;
  private final Runnable release;

  TracingFilter(String route, Tracing tracing, Runnable release) {
    this.route = route;
    this.tracing = tracing;
    this.release = release;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String name = request.getMethod() + " " + route;
    if (tracing.agent()) {
      // The agent's servlet instrumentation only knows the proxy servlet's mapping (/*); a route
      // from a more specific source than the servlet wins, and the agent names its span after it.
      HttpServerRoute.update(Context.current(), HttpServerRouteSource.CONTROLLER, route);
      attach(Span.current().getSpanContext(), request);
      chain.doFilter(request, response);
      return;
    }
    Context parent = tracing.propagator().extract(Context.root(), request, HEADERS);
    Span span =
        tracing
            .tracer()
            .spanBuilder(name)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(HTTP_METHOD, request.getMethod())
            .setAttribute(HTTP_ROUTE, route)
            .setAttribute(URL_PATH, request.getRequestURI())
            .startSpan();
    Context context = parent.with(span);
    Map<String, String> outgoing = new LinkedHashMap<>();
    tracing.propagator().inject(context, outgoing, Map::put);
    attach(span.getSpanContext(), request);
    try (Scope ignored = context.makeCurrent()) {
      // the span ends with the status the client gets, when the proxy's answer is complete
      ChainOutcome.run(
          chain,
          response,
          new TraceHeaders(request, outgoing),
          response,
          (status, ending) -> end(span, status),
          span::recordException);
    }
  }

  private static void end(Span span, int status) {
    span.setAttribute(HTTP_STATUS, (long) status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  private static void attach(SpanContext span, HttpServletRequest request) {
    if (span.isValid()) {
      new TraceContext(span.getTraceId(), span.getSpanId()).attachTo(request);
    }
  }

  @Override
  public void destroy() {
    release.run();
  }

  /**
   * The client's request with the trace headers replaced by this span's, so the proxy, which copies
   * the client's end-to-end headers, sends them upstream.
   */
  private static final class TraceHeaders extends HttpServletRequestWrapper {
    private final Map<String, String> replaced;

    TraceHeaders(HttpServletRequest request, Map<String, String> replaced) {
      super(request);
      this.replaced = replaced;
    }

    private String key(String name) {
      for (String k : replaced.keySet()) {
        if (k.equalsIgnoreCase(name)) {
          return k;
        }
      }
      return null;
    }

    @Override
    public String getHeader(String name) {
      String k = key(name);
      return k != null ? replaced.get(k) : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String k = key(name);
      return k != null ? Collections.enumeration(List.of(replaced.get(k))) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = new ArrayList<>();
      for (String n : Collections.list(super.getHeaderNames())) {
        if (key(n) == null) {
          names.add(n);
        }
      }
      names.addAll(replaced.keySet());
      return Collections.enumeration(names);
    }
  }
}
