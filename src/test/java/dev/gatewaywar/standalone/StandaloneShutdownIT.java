package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar gateway.war --config FILE}: the file is reloaded when replaced, and SIGTERM
 * (what {@code kill} and Kubernetes send) drains before the process ends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StandaloneShutdownIT {
  @TempDir Path dir;

  @Test
  void aReplacedConfigIsServedAndSigtermLetsTheRequestInFlightFinish() throws Exception {
    HeldAnswer held = new HeldAnswer();
    try (TestUpstream upstream = TestUpstream.start()) {
      upstream.handle("/api/slow", held);
      int port = FreePortForArquillian.freePort();
      Path config = dir.resolve("gateway.yaml");
      String yaml =
          """
          server:
            port: %d
            reload:
              interval: 500ms
          routes:
            - path: /api/*
              target: %s
          """
              .formatted(port, upstream.url());
      Files.writeString(config, yaml);
      GatewayProcess gateway = GatewayProcess.start(List.of(), port, "--config", config.toString());
      try {
        assertEquals(404, get(port, "/new").status());
        Path temp =
            Files.writeString(
                dir.resolve("gateway.yaml.tmp"),
                yaml + "  - path: /new\n    target: " + upstream.url() + "\n");
        Files.move(
            temp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitTrue("the new route", () -> get(port, "/new").status() == 200);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> slow =
            http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/slow"))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(held.arrived());
        CompletableFuture<Void> stopped =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    gateway.close(); // SIGTERM, then waits for the process
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                });

        awaitTrue("new requests refused", () -> get(port, "/api/x").status() == 503);
        RawHttp.Response refused = get(port, "/api/x");
        assertEquals("{\"error\":\"shutting down\"}", refused.body());
        assertTrue(gateway.isAlive());
        held.release();
        HttpResponse<String> r = slow.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals(HeldAnswer.BODY, r.body());
        stopped.get(30, TimeUnit.SECONDS);
        assertTrue(!gateway.isAlive(), gateway.output());
      } finally {
        held.release();
        gateway.close();
      }
    }
  }

  private static RawHttp.Response get(int port, String path) throws IOException {
    return RawHttp.send(port, "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  private interface Check {
    boolean holds() throws IOException;
  }

  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 20 s");
      }
      Thread.sleep(50);
    }
  }
}
