package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.BodyDigest;
import dev.gatewaywar.testing.TestUpstream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code retry} in the WAR deployed into stock Tomcats 10.1 and 11 (their non-blocking input):
 * POSTs answered 503 by the first target are sent again to the second, with the same bytes and
 * framing (Content-Length, chunked), then the WAR is undeployed and the retry thread must be gone
 * with it ({@link UndeployLeaks}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatRetryIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  private final List<TestUpstream> upstreams = new ArrayList<>();
  private final AtomicInteger unavailable = new AtomicInteger();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TomcatServer tomcat;

  @AfterEach
  void killEverything() {
    if (tomcat != null) {
      tomcat.close();
    }
    upstreams.forEach(TestUpstream::close);
  }

  private TestUpstream upstream(TestUpstream.Handler handler) throws IOException {
    TestUpstream u = TestUpstream.start();
    u.handle("/", handler);
    upstreams.add(u);
    return u;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomcat10.home", "tomcat11.home"})
  void aPostAnswered503IsSentAgainWholeAndUndeployLeavesNoThread(String home) throws Exception {
    TestUpstream failing =
        upstream(
            exchange -> {
              unavailable.incrementAndGet();
              exchange.getRequestBody().readAllBytes();
              TestUpstream.respond(exchange, 503, "later");
            });
    TestUpstream good = upstream(BodyDigest.answering(new AtomicInteger()));
    tomcat =
        TomcatServer.create(
            new Distribution(Path.of(System.getProperty(home))),
            BASES.resolve(home.replace(".home", "") + "-retry"));
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            """
            routes:
              - path: /api/*
                targets: [{url: %s}, {url: %s}]
                retry: {attempts: 2, when: [503], methods: [POST], max_body: 1MiB, backoff: 20ms}
            """
                .formatted(failing.url(), good.url()),
            StandardCharsets.UTF_8);
    tomcat.start(config);
    Set<String> threadsBefore = UndeployLeaks.threads(tomcat).keySet();
    tomcat.deploy(WAR, "ROOT.war").awaitStatus("/readyz", 200);

    // over the gateway's 256 KiB body buffer: reading the client pauses and resumes while the body
    // is kept for a retry
    byte[] body = BodyDigest.randomBytes(300 * 1024);
    // every first attempt that met the failing target was retried on the other: no 503 passed
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> withLength = post(HttpRequest.BodyPublishers.ofByteArray(body));
      assertEquals(200, withLength.statusCode(), withLength::body);
      assertEquals(BodyDigest.withLength(body), withLength.body());
      HttpResponse<String> chunked =
          post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
      assertEquals(200, chunked.statusCode(), chunked::body);
      assertEquals(BodyDigest.chunked(body), chunked.body());
    }
    assertTrue(unavailable.get() >= 4, "first attempts met the failing target: " + unavailable);

    tomcat.undeploy("ROOT.war");
    tomcat.awaitStatus("/readyz", 404);
    UndeployLeaks.assertNothingLeftBehind(tomcat, threadsBefore, 0);
    tomcat.stop();
    String logs = tomcat.allLogs();
    for (String warning : UndeployLeaks.WARNINGS) {
      assertTrue(!logs.contains(warning), () -> "leak reported on undeploy: " + warning);
    }
  }

  private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tomcat.port() + "/api/x"))
            .POST(body)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
