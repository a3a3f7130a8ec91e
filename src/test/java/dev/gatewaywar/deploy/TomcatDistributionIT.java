package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gateway.war deployed the way an operator deploys it: dropped into the webapps/ of a stock Apache
 * Tomcat distribution (10.1 and 11, unpacked by the build in pre-integration-test), started with
 * {@code catalina.sh run} and {@code -Dgateway.config}, stopped with a signal. Each test runs its
 * own Tomcat on a fresh CATALINA_BASE under target/it-tomcat/, where its logs stay afterwards.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatDistributionIT {
  private static final Path WAR = Path.of(requiredProperty("gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  /** Tomcat's own words when a webapp leaves something behind on undeploy. */
  private static final List<String> LEAK_WARNINGS =
      List.of("memory leak", "appears to have started a thread", "failed to stop it");

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;

  static Stream<Distribution> distributions() {
    return Stream.of("tomcat10.home", "tomcat11.home")
        .map(p -> new Distribution(Path.of(requiredProperty(p))));
  }

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = TestUpstream.start();
    upstream.handle("/users", exchange -> TestUpstream.reply(exchange, 200, "user from upstream"));
  }

  @AfterEach
  void killEverything() {
    // whatever the test did or failed to do, no Tomcat outlives it
    servers.forEach(TomcatServer::close);
    upstream.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void rootWarProxiesToUpstreamAndAnswersUnmatchedPathWithJson404(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "root").deploy(WAR, "ROOT.war");
    tomcat.start(config(tomcat, usersRoute()));

    HttpResponse<String> proxied =
        tomcat.get("/users/42?x=1&y=%3A", "X-Forwarded-For", "203.0.113.7");
    assertEquals(200, proxied.statusCode(), () -> proxied.body() + "\n" + logs(tomcat));
    assertEquals("user from upstream", proxied.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertAll(
        () -> assertEquals("GET", received.method()),
        () -> assertEquals("/users/42?x=1&y=%3A", received.rawUri()),
        () -> assertEquals("203.0.113.7, 127.0.0.1", received.header("X-Forwarded-For")));

    HttpResponse<String> unmatched = tomcat.get("/orders/7");
    assertAll(
        () -> assertEquals(404, unmatched.statusCode()),
        () ->
            assertTrue(
                contentType(unmatched).startsWith("application/json"), contentType(unmatched)),
        () -> assertTrue(unmatched.body().contains("\"error\""), unmatched.body()));
    assertTrue(upstream.noRequestWithin(300), "an unmatched path reached the upstream");

    tomcat.stop();
    assertCleanUndeploy(tomcat);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void warUnderContextPathProxiesPathWithoutContextPath(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "context-path").deploy(WAR, "gateway.war");
    tomcat.start(config(tomcat, usersRoute()));

    HttpResponse<String> proxied = tomcat.get("/gateway/users/1");
    assertEquals(200, proxied.statusCode(), () -> proxied.body() + "\n" + logs(tomcat));
    assertEquals("user from upstream", proxied.body());
    assertEquals("/users/1", upstream.nextRequest().rawUri());

    HttpResponse<String> unmatched = tomcat.get("/gateway/orders/7");
    assertEquals(404, unmatched.statusCode());
    assertTrue(contentType(unmatched).startsWith("application/json"), contentType(unmatched));
    HttpResponse<String> outsideContext = tomcat.get("/users/1");
    assertEquals(404, outsideContext.statusCode());
    assertTrue(upstream.noRequestWithin(300), "a path outside /gateway reached the upstream");

    tomcat.stop();
    assertCleanUndeploy(tomcat);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void badConfigKeepsWebappFromStartingAndLogsKeyAndLine(Distribution distribution)
      throws Exception {
    TomcatServer tomcat = tomcat(distribution, "bad-config").deploy(WAR, "ROOT.war");
    tomcat.start(
        config(
            tomcat,
            usersRoute() // lines 1-4
                + "    middleware: [ratelimitt]\n" // line 5
                + "rate_limitt:\n" // line 6
                + "  enabled: true\n"));

    HttpResponse<String> answer = tomcat.get("/users/1");
    // no webapp at /: Tomcat's own error page, not the gateway's JSON
    assertEquals(404, answer.statusCode(), answer::body);
    assertFalse(contentType(answer).contains("json"), answer.body());
    assertTrue(
        upstream.noRequestWithin(300), "a request was proxied by a gateway that must not run");

    String console = tomcat.console();
    assertAll(
        () -> assertLogLine(console, "line 5", "routes[0].middleware[0]", "ratelimitt"),
        () -> assertLogLine(console, "line 6", "rate_limitt", "unknown key"));

    tomcat.stop();
    assertCleanUndeploy(tomcat);
  }

  private TomcatServer tomcat(Distribution distribution, String scenario) throws IOException {
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-" + scenario));
    servers.add(tomcat);
    return tomcat;
  }

  private String usersRoute() {
    return "routes:\n"
        + "  - path: /users/:id\n"
        + "    methods: [GET]\n"
        + "    target: "
        + upstream.url()
        + "\n";
  }

  private static Path config(TomcatServer tomcat, String yaml) throws IOException {
    return Files.writeString(tomcat.base().resolve("gateway.yaml"), yaml, StandardCharsets.UTF_8);
  }

  private static void assertCleanUndeploy(TomcatServer tomcat) throws IOException {
    String logs = tomcat.allLogs();
    for (String line : logs.split("\n")) {
      for (String warning : LEAK_WARNINGS) {
        assertFalse(
            line.contains(warning),
            () -> "Tomcat reported a leak on undeploy in " + tomcat.base() + "/logs:\n" + line);
      }
    }
  }

  /** Some line of {@code log} holds every one of {@code parts}. */
  private static void assertLogLine(String log, String... parts) {
    Pattern all =
        Pattern.compile(
            Stream.of(parts).map(p -> "(?=.*" + Pattern.quote(p) + ")").reduce("", String::concat));
    assertTrue(
        log.lines().anyMatch(l -> all.matcher(l).find()),
        () -> "no line of the console names " + List.of(parts) + ":\n" + log);
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static String logs(TomcatServer tomcat) {
    try {
      return tomcat.allLogs();
    } catch (IOException e) {
      return "(logs unreadable: " + e + ")";
    }
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; run through `mvn verify` (failsafe sets it)");
    }
    return value;
  }
}
