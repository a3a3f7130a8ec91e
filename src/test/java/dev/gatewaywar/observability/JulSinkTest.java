package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logging.sink: jul} on an embedded Tomcat: each access line is one java.util.logging record
 * on logger {@code dev.gatewaywar.access} at INFO whose message is the whole line (pure JSON for
 * the JSON format), and nothing goes to standard output.
 */
class JulSinkTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Held: java.util.logging keeps loggers weakly, and a collected one loses its handler. */
  private final Logger access = Logger.getLogger("dev.gatewaywar.access");

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream realOut;

  @BeforeEach
  void captureAndStartUpstream() throws Exception {
    realOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    access.addHandler(capture);
    upstream = TestUpstream.start();
    upstream.handle("/users", e -> TestUpstream.reply(e, 200, "twelve bytes"));
  }

  @AfterEach
  void stopAndRestore() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
      upstream.close();
    } finally {
      access.removeHandler(capture);
      System.setOut(realOut);
    }
  }

  private void start(String format) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        logging:
          format: %s
          sink: jul
        routes:
          - path: /users/:id
            target: %s
            middleware: [logging]
        """
            .formatted(format, upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  private int get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString())
        .statusCode();
  }

  /** The records once there are {@code count} (the line follows the response); at most 10 s. */
  private List<LogRecord> records(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (records.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return List.copyOf(records);
  }

  @Test
  void eachRequestIsOneJulRecordHoldingOneJsonObject() throws Exception {
    start("json");
    assertEquals(200, get("/users/1?q=%7B0%7D"));
    assertEquals(404, get("/nowhere"));
    assertEquals(200, get("/users/2"));

    List<LogRecord> got = records(2);
    assertEquals(2, got.size(), got::toString);
    for (LogRecord r : got) {
      assertEquals(Level.INFO, r.getLevel());
      assertEquals("dev.gatewaywar.access", r.getLoggerName());
      assertFalse(r.getMessage().contains("\n"), r.getMessage());
      // what a handler printing only the message writes: one JSON object, nothing around it
      List<Map<String, Object>> parsed = JsonObjects.accessLines(r.getMessage());
      assertEquals(1, parsed.size(), r.getMessage());
      assertEquals(200, parsed.get(0).get("status"));
      assertEquals("GET", parsed.get(0).get("method"));
    }
    assertEquals("/users/1", JsonObjects.accessLines(got.get(0).getMessage()).get(0).get("path"));
    assertTrue(
        JsonObjects.accessLines(out.toString(StandardCharsets.UTF_8)).isEmpty(), out::toString);
  }

  @Test
  void textLinesGoTheSameWay() throws Exception {
    start("text");
    assertEquals(200, get("/users/7"));
    List<LogRecord> got = records(1);
    assertEquals(1, got.size(), got::toString);
    String line = got.get(0).getMessage();
    assertTrue(line.contains("\"GET /users/7\" 200 12B"), line);
    assertFalse(line.endsWith("\n"), line);
  }
}
