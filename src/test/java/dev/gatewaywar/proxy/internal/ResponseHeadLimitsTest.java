package dev.gatewaywar.proxy.internal;

import static dev.gatewaywar.testing.RawUpstream.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamConfig;
import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamFailure;
import dev.gatewaywar.proxy.UpstreamRequest;
import dev.gatewaywar.testing.RawUpstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code upstream:} block's response-head limits as configured, not only their defaults: each
 * one refuses a head just over it as a protocol failure, and lets one at it through.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseHeadLimitsTest {
  private static final TimeoutsConfig TIMEOUTS =
      new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(10));

  /** 5 headers, lines of 200 characters, 600 characters of head in all. */
  private final ApacheUpstreamClient client =
      new ApacheUpstreamClient(new UpstreamConfig(8, 8, Duration.ofSeconds(60), 8, 5, 200, 600, 0));

  private RawUpstream upstream;

  @BeforeEach
  void start() throws IOException {
    upstream = RawUpstream.start(ResponseHeadLimitsTest::answer);
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    upstream.close();
  }

  private static void answer(String requestLine, OutputStream out) throws IOException {
    String head =
        switch (requestLine.split(" ")[1]) {
          case "/five-headers" -> headers(3, 10);
          case "/six-headers" -> headers(4, 10);
          // HttpCore counts the line end against the limit, and refuses at it: room is left
          case "/line-within-limit" -> headers(1, 190 - "X-Filler-0: ".length());
          case "/line-over-limit" -> headers(1, 201 - "X-Filler-0: ".length());
          default -> headers(3, 180); // each line within 200, together over 600
        };
    out.write(crlf("HTTP/1.1 200 OK\nConnection: close\n" + head + "Content-Length: 0\n\n"));
  }

  private static String headers(int count, int valueLength) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      b.append("X-Filler-").append(i).append(": ").append("v".repeat(valueLength)).append('\n');
    }
    return b.toString();
  }

  @Test
  void headsWithinTheConfiguredLimitsPass() throws Exception {
    assertEquals(200, send("/five-headers"));
    assertEquals(200, send("/line-within-limit"));
  }

  @Test
  void oneHeaderOverTheConfiguredCountIsRefused() {
    assertRefused("/six-headers");
  }

  @Test
  void oneCharacterOverTheConfiguredLineIsRefused() {
    assertRefused("/line-over-limit");
  }

  @Test
  void headOverTheConfiguredTotalIsRefused() {
    assertRefused("/head-over-total");
  }

  private void assertRefused(String path) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> send(path));
    UpstreamException failure = assertInstanceOf(UpstreamException.class, e.getCause());
    assertEquals(UpstreamFailure.PROTOCOL, failure.failure());
  }

  /** The status once the answer is complete; the failure, if it failed. */
  private int send(String path) throws Exception {
    StatusWhenComplete handler = new StatusWhenComplete();
    client.send(
        new UpstreamRequest(
            "GET",
            URI.create(upstream.url() + path),
            List.of(),
            null,
            "192.0.2.1",
            client.settingsFor(TIMEOUTS)),
        handler);
    return handler.result.get(20, TimeUnit.SECONDS);
  }
}
