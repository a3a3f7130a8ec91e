package dev.gatewaywar.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
  private final ExecutorService exporterThreads;
  private final boolean agent;

  private Tracing(
      Tracer tracer,
      TextMapPropagator propagator,
      SdkTracerProvider sdk,
      ExecutorService exporterThreads,
      boolean agent) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.sdk = sdk;
    this.exporterThreads = exporterThreads;
    this.agent = agent;
  }

  /**
   * The exporter's HTTP client runs on threads the gateway owns, so that stopping can wait for them
   * to end: the exporter caches an encoder in a thread-local of each, and Tomcat reports a thread
   * still holding one after undeploy as a leak.
   */
  private static Thread exporterThread(Runnable r) {
    Thread t = new Thread(r, "gateway-otlp-export");
    t.setDaemon(true);
    return t;
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
    ExecutorService exporterThreads = null;
    if (otel.enabled()) {
      exporterThreads = Executors.newCachedThreadPool(Tracing::exporterThread);
      builder.addSpanProcessor(
          BatchSpanProcessor.builder(
                  new OwnThreadsExporter(
                      OtlpGrpcSpanExporter.builder()
                          .setEndpoint(endpointUrl(otel.endpoint()))
                          .setExecutorService(exporterThreads)
                          .build(),
                      exporterThreads))
              .setScheduleDelay(Duration.ofSeconds(2))
              .build());
    } else {
      // With no processor at all the SDK hands out no-op spans with invalid ids, and the upstream
      // would get no traceparent for a request that came without one.
      builder.addSpanProcessor(PropagationOnly.INSTANCE);
    }
    SdkTracerProvider sdk = builder.build();
    return new Tracing(
        sdk.get(INSTRUMENTATION),
        W3CTraceContextPropagator.getInstance(),
        sdk,
        exporterThreads,
        false);
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

  /**
   * Runs each export (where spans are encoded) on the gateway's exporter threads rather than on the
   * SDK's batch thread, which may still be ending when the server checks for leaks.
   */
  private record OwnThreadsExporter(SpanExporter delegate, ExecutorService threads)
      implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      CompletableResultCode result = new CompletableResultCode();
      try {
        threads.execute(
            () -> {
              CompletableResultCode done = delegate.export(spans);
              done.whenComplete(
                  () -> {
                    if (done.isSuccess()) {
                      result.succeed();
                    } else {
                      result.fail();
                    }
                  });
            });
      } catch (RejectedExecutionException e) {
        result.fail();
      }
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
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

  /**
   * Flushes and stops the SDK and waits for its threads to end; nothing to do with the agent. The
   * last export runs in a thread of its own, for the same thread-local reason as {@link
   * #exporterThread}: otherwise it would be the server's undeploy thread.
   */
  @Override
  public void close() {
    if (sdk == null) {
      return;
    }
    Thread stopper =
        new Thread(() -> sdk.shutdown().join(10, TimeUnit.SECONDS), "gateway-tracing-shutdown");
    stopper.start();
    try {
      stopper.join(TimeUnit.SECONDS.toMillis(15));
      if (exporterThreads != null) {
        exporterThreads.shutdownNow();
        exporterThreads.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
