package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.BodyDigest;
import dev.gatewaywar.testing.TestUpstream;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code retry} on a stock WildFly (Undertow's non-blocking input, not Tomcat's): a POST answered
 * 503 is sent again to the other target, and one refused by its first target moved, each with the
 * client's bytes and framing.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlyRetryIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final AtomicInteger unavailable = new AtomicInteger();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static TestUpstream failing;
  private static TestUpstream good;
  private static WildFlyServer wildfly;

  @BeforeAll
  static void start() throws Exception {
    failing = TestUpstream.start();
    failing.handle(
        "/",
        exchange -> {
          unavailable.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          TestUpstream.respond(exchange, 503, "later");
        });
    good = TestUpstream.start();
    good.handle("/", BodyDigest.answering(new AtomicInteger()));
    int refusing;
    try (ServerSocket s = new ServerSocket(0)) {
      refusing = s.getLocalPort();
    }
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-retry"));
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"),
            """
            routes:
              - path: /retried/*
                targets: [{url: %1$s}, {url: %2$s}]
                retry: {attempts: 2, when: [503], methods: [POST], max_body: 1MiB}
              - path: /moved/*
                targets: [{url: "http://127.0.0.1:%3$d"}, {url: %2$s}]
            """
                .formatted(failing.url(), good.url(), refusing),
            StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=gateway.war").assertSucceeded();
  }

  @AfterAll
  static void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    failing.close();
    good.close();
  }

  @Test
  void aPostAnswered503IsSentAgainWhole() throws Exception {
    byte[] body = BodyDigest.randomBytes(300 * 1024);
    for (int i = 0; i < 2; i++) { // round robin: one of each pair meets the failing target first
      HttpResponse<String> withLength =
          post("/retried/x", HttpRequest.BodyPublishers.ofByteArray(body));
      assertEquals(200, withLength.statusCode(), withLength::body);
      assertEquals(BodyDigest.withLength(body), withLength.body());
      HttpResponse<String> chunked =
          post(
              "/retried/x",
              HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
      assertEquals(200, chunked.statusCode(), chunked::body);
      assertEquals(BodyDigest.chunked(body), chunked.body());
    }
    assertTrue(unavailable.get() >= 2, "first attempts met the failing target: " + unavailable);
  }

  @Test
  void aPostRefusedByItsFirstTargetIsMovedWhole() throws Exception {
    byte[] body = BodyDigest.randomBytes(50 * 1024);
    HttpResponse<String> r = post("/moved/x", HttpRequest.BodyPublishers.ofByteArray(body));
    assertEquals(200, r.statusCode(), r::body);
    assertEquals(BodyDigest.withLength(body), r.body());
  }

  private static HttpResponse<String> post(String path, HttpRequest.BodyPublisher body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + wildfly.httpPort() + "/gateway" + path))
            .POST(body)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
