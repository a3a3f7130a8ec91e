package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the embedded runner ({@link EmbeddedGateway#close}, what the shutdown hook of {@code
 * java -jar gateway.war} calls on SIGTERM or Ctrl-C) while a request is in flight.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GracefulShutdownTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path dir;
  private TestUpstream upstream;
  private final HeldAnswer held = new HeldAnswer();
  private EmbeddedGateway gateway;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/api/slow", held);
  }

  @AfterEach
  void stop() throws Exception {
    held.release();
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private EmbeddedGateway start(String drainTimeout) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("gateway.yaml"),
            "server:\n  drain_timeout: "
                + drainTimeout
                + "\nroutes:\n  - path: /api/*\n    target: "
                + upstream.url()
                + "\n");
    gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
    return gateway;
  }

  private CompletableFuture<HttpResponse<String>> slowRequest() {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/slow"))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<Void> closeInBackground() {
    EmbeddedGateway g = gateway;
    return CompletableFuture.runAsync(
        () -> {
          try {
            g.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private RawHttp.Response send(String path) throws Exception {
    return RawHttp.send(
        gateway.port(), "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  /** Without Connection: close from the client: only the server can end the exchange. */
  private RawHttp.Response sendKeepingAlive(String path) throws Exception {
    return RawHttp.send(gateway.port(), "GET " + path + " HTTP/1.1\nHost: gw\n\n");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 10 s");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aRequestInFlightCompletesWhileNewOnesGet503AndReadinessFails() throws Exception {
    start("30s");
    assertEquals(200, send("/readyz").status());
    CompletableFuture<HttpResponse<String>> slow = slowRequest();
    assertTrue(held.arrived());

    CompletableFuture<Void> closing = closeInBackground();

    await("readiness 503", () -> statusOf("/readyz") == 503);
    RawHttp.Response refused = sendKeepingAlive("/api/new");
    assertEquals(503, refused.status());
    assertEquals("{\"error\":\"shutting down\"}", refused.body());
    assertEquals("application/json", refused.header("Content-Type"));
    assertEquals("close", refused.header("Connection"));
    assertEquals("5", refused.header("Retry-After"));
    assertFalse(closing.isDone(), "stopped with a request in flight");

    held.release();
    HttpResponse<String> r = slow.get(20, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals(HeldAnswer.BODY, r.body());
    closing.get(20, TimeUnit.SECONDS);
    gateway = null;
  }

  @Test
  void withNothingInFlightTheStopIsImmediate() throws Exception {
    start("30s");
    assertEquals(200, send("/api/x").status());
    long start = System.nanoTime();

    gateway.close();
    gateway = null;

    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
        "a drain with nothing to wait for took "
            + Duration.ofNanos(System.nanoTime() - start).toMillis()
            + " ms");
  }

  @Test
  void theDrainEndsAtDrainTimeoutWhenARequestDoesNot() throws Exception {
    start("1s");
    CompletableFuture<HttpResponse<String>> slow = slowRequest();
    assertTrue(held.arrived());
    long start = System.nanoTime();

    closeInBackground().get(30, TimeUnit.SECONDS);
    gateway = null;

    long took = System.nanoTime() - start;
    assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(900), "did not drain: " + took + " ns");
    // the request that outlived the drain was cut, never completed as if whole
    try {
      HttpResponse<String> r = slow.get(30, TimeUnit.SECONDS);
      assertNotEquals(HeldAnswer.BODY, r.body());
    } catch (java.util.concurrent.ExecutionException cut) {
      // the connection closed mid-body: what a client must see
    }
  }

  private int statusOf(String path) {
    try {
      return send(path).status();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
