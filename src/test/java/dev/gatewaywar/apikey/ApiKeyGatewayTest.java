package dev.gatewaywar.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api_key middleware in the gateway on an embedded Tomcat, in front of a real upstream that
 * records what it received; standard output is captured for the access log.
 */
class ApiKeyGatewayTest {
  private static final String MOBILE_KEY = "k-mobile-0123456789";
  private static final String BILLING_KEY = "k-billing-9876543210";

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;
  private Path config;
  private Path keysFile;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream realOut;

  @BeforeEach
  void captureAndStartUpstream() throws Exception {
    realOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    upstream = TestUpstream.start();
    config = dir.resolve("gateway.yaml");
    keysFile = dir.resolve("keys.txt");
    Files.writeString(keysFile, "billing " + KeyTableTest.sha256(BILLING_KEY) + "\n");
  }

  @AfterEach
  void stopAndRestore() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
      upstream.close();
    } finally {
      System.setOut(realOut);
    }
  }

  private String yaml(String marker) throws Exception {
    return """
        # MARKER
        server:
          reload:
            interval: 100ms
            debounce: 20ms
        api_key:
          keys:
            - name: mobile-app
              sha256: MOBILE
          keys_file: KEYS
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [logging, api_key]
          - path: /limited/*
            target: UPSTREAM
            middleware: [api_key, ratelimit]
            rate_limit:
              enabled: true
              requests_per_second: 0.001
              burst: 1
              key: consumer
          - path: /open/*
            target: UPSTREAM
        """
        .replace("MARKER", marker)
        .replace("MOBILE", KeyTableTest.sha256(MOBILE_KEY))
        .replace("KEYS", keysFile.toString())
        .replace("UPSTREAM", upstream.url());
  }

  private void start() throws Exception {
    Files.writeString(config, yaml("first"));
    gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  @Test
  void missingOrUnknownKeyGets401AndNeverReachesTheUpstream() throws Exception {
    start();
    for (RawHttp.Response r :
        new RawHttp.Response[] {
          get("/api/x"),
          get("/api/x", "X-API-Key: wrong"),
          get("/api/x", "X-API-Key: " + KeyTableTest.sha256(MOBILE_KEY)),
          get("/api/x", "X-API-Key: " + MOBILE_KEY, "X-API-Key: " + MOBILE_KEY),
        }) {
      assertEquals(401, r.status());
      assertEquals("{\"error\":\"invalid api key\"}", r.body());
      assertTrue(r.header("Content-Type").startsWith("application/json"));
    }
    assertTrue(upstream.noRequestWithin(300));
  }

  @Test
  void keyFromKeysIsAcceptedAndTheUpstreamGetsTheConsumerNotTheKey() throws Exception {
    start();
    RawHttp.Response r =
        get("/api/x", "X-API-Key: " + MOBILE_KEY, "X-Consumer: admin", "X_Consumer: admin");

    assertEquals(200, r.status());
    TestUpstream.Received got = upstream.nextRequest();
    assertEquals(java.util.List.of("mobile-app"), got.headerValues("X-Consumer"));
    assertNull(got.header("X-API-Key"), "the key never travels past the gateway");
  }

  @Test
  void keyFromTheKeysFileIsAccepted() throws Exception {
    start();
    assertEquals(200, get("/api/x", "x-api-key: " + BILLING_KEY).status());
    assertEquals("billing", upstream.nextRequest().header("X-Consumer"));
  }

  @Test
  void aForgedConsumerAndAKeyAreDroppedOnRoutesWithoutTheMiddlewareToo() throws Exception {
    start();
    assertEquals(200, get("/open/x", "X-Consumer: admin", "X-API-Key: " + MOBILE_KEY).status());
    TestUpstream.Received got = upstream.nextRequest();
    assertNull(got.header("X-Consumer"));
    assertNull(got.header("X-API-Key"));
  }

  @Test
  void accessLogHasTheConsumerAndNeverTheKey() throws Exception {
    start();
    assertEquals(200, get("/api/x", "X-API-Key: " + MOBILE_KEY).status());
    assertEquals(401, get("/api/y", "X-API-Key: wrong-key-value").status());
    upstream.nextRequest();
    String log = awaitLines(2);

    assertTrue(log.contains("\"consumer\":\"mobile-app\""), log);
    assertFalse(log.contains(MOBILE_KEY), log);
    assertFalse(log.contains("wrong-key-value"), log);
    assertFalse(log.contains(KeyTableTest.sha256(MOBILE_KEY)), log);
  }

  @Test
  void rateLimitKeyedByConsumerGivesEachConsumerItsBucket() throws Exception {
    start();
    assertEquals(200, get("/limited/x", "X-API-Key: " + MOBILE_KEY).status());
    assertEquals(429, get("/limited/x", "X-API-Key: " + MOBILE_KEY).status());
    assertEquals(200, get("/limited/x", "X-API-Key: " + BILLING_KEY).status(), "another bucket");
    assertEquals(429, get("/limited/x", "X-API-Key: " + BILLING_KEY).status());
  }

  @Test
  void reloadReadsTheKeysFileAgain() throws Exception {
    start();
    String fresh = "k-fresh-5555555555";
    assertEquals(401, get("/api/x", "X-API-Key: " + fresh).status());
    Files.writeString(keysFile, "fresh " + KeyTableTest.sha256(fresh) + "\n");
    Files.writeString(config, yaml("second"));

    long deadline = System.nanoTime() + 10_000_000_000L;
    int status;
    do {
      Thread.sleep(100);
      status = get("/api/x", "X-API-Key: " + fresh).status();
    } while (status != 200 && System.nanoTime() < deadline);

    assertEquals(200, status, "the reloaded configuration has the file's new key");
    assertEquals(401, get("/api/x", "X-API-Key: " + BILLING_KEY).status(), "and not its old one");
  }

  /** Standard output once it has {@code n} access lines (the log writes after the response). */
  private String awaitLines(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    String text;
    do {
      Thread.sleep(20);
      text = out.toString(StandardCharsets.UTF_8);
    } while (text.split("\"status\"", -1).length - 1 < n && System.nanoTime() < deadline);
    return text;
  }
}
