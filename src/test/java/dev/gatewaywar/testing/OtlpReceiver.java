package dev.gatewaywar.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP gRPC trace receiver on a free loopback port: what a collector or Jaeger is to the
 * gateway, built from the OpenTelemetry proto classes and a real gRPC server.
 */
public final class OtlpReceiver implements AutoCloseable {
  private final Server server;
  private final BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
  private final AtomicInteger exports = new AtomicInteger();

  private OtlpReceiver() throws IOException {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> response) {
                    exports.incrementAndGet();
                    for (ResourceSpans rs : request.getResourceSpansList()) {
                      for (ScopeSpans ss : rs.getScopeSpansList()) {
                        spans.addAll(ss.getSpansList());
                      }
                    }
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  public static OtlpReceiver start() throws IOException {
    return new OtlpReceiver();
  }

  /** {@code host:port}, as {@code otel.endpoint} takes it. */
  public String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The next span received, waiting up to {@code seconds}; fails when none comes. */
  public Span nextSpan(int seconds) throws InterruptedException {
    Span s = spans.poll(seconds, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no span received within " + seconds + " s");
    }
    return s;
  }

  /** Export calls received so far, empty ones included. */
  public int exports() {
    return exports.get();
  }

  public static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }
}
