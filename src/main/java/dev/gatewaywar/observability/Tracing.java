package dev.gatewaywar.observability;

import dev.gatewaywar.config.OtelConfig;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Where the gateway's spans come from. With the OpenTelemetry Java agent attached to the JVM, the
 * agent's own (bridged through the API in the WAR) is used and nothing is set up here: the agent
 * exports, and its server and client spans are the trace. Without it, the gateway runs the SDK
 * itself, never registered as the JVM-wide global (two gateways in one server each have their own):
 * spans go over OTLP gRPC to {@code otel.endpoint} when {@code otel.enabled}, and are only used for
 * propagation otherwise, so the upstream still gets a {@code traceparent}.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Tracing.class.getName());
  static final String AGENT_CLASS = "io.opentelemetry.javaagent.OpenTelemetryAgent";
  private static final String INSTRUMENTATION = "dev.gatewaywar";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final SdkTracerProvider sdk;
  private final boolean agent;

  private Tracing(
      Tracer tracer, TextMapPropagator propagator, SdkTracerProvider sdk, boolean agent) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.sdk = sdk;
    this.agent = agent;
  }

  /**
   * The agent's tracing when it is attached, else the gateway's own SDK set up for {@code otel}.
   */
  public static Tracing start(OtelConfig otel) {
    if (agentAttached()) {
      OpenTelemetry global = GlobalOpenTelemetry.get();
      LOG.info("OpenTelemetry Java agent attached: it exports the gateway's spans");
      return new Tracing(
          global.getTracer(INSTRUMENTATION),
          global.getPropagators().getTextMapPropagator(),
          null,
          true);
    }
    SdkTracerProviderBuilder builder =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "gateway"))));
    if (otel.enabled()) {
      builder.addSpanProcessor(
          BatchSpanProcessor.builder(
                  OtlpGrpcSpanExporter.builder().setEndpoint(endpointUrl(otel.endpoint())).build())
              .setScheduleDelay(Duration.ofSeconds(2))
              .build());
    } else {
      // With no processor at all the SDK hands out no-op spans with invalid ids, and the upstream
      // would get no traceparent for a request that came without one.
      builder.addSpanProcessor(PropagationOnly.INSTANCE);
    }
    SdkTracerProvider sdk = builder.build();
    return new Tracing(
        sdk.get(INSTRUMENTATION), W3CTraceContextPropagator.getInstance(), sdk, false);
  }

  /**
   * True when the agent is attached: its main class is on the system class path, where {@code
   * -javaagent} puts it.
   */
  static boolean agentAttached() {
    try {
      Class.forName(AGENT_CLASS, false, ClassLoader.getSystemClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Keeps spans real (valid ids to propagate) while exporting none of them. */
  private enum PropagationOnly implements SpanProcessor {
    INSTANCE;

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }

  /** {@code host:port} as in the Go original; a full URL is taken as it is. */
  static String endpointUrl(String endpoint) {
    return endpoint.contains("://") ? endpoint : "http://" + endpoint;
  }

  Tracer tracer() {
    return tracer;
  }

  TextMapPropagator propagator() {
    return propagator;
  }

  /** True when the agent owns the server span and the upstream's {@code traceparent}. */
  boolean agent() {
    return agent;
  }

  /** Flushes and stops the SDK (its export thread included); nothing to do with the agent. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
