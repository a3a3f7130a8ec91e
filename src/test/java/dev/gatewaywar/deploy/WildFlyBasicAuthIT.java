package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.Commands;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * basic_auth with {@code source: container} on a stock WildFly, set up as deploying.md tells
 * operators: the WAR as built (Undertow's default security domain, {@code other}, is Elytron's
 * ApplicationDomain) and users added to the application realm with {@code add-user.sh -a}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlyBasicAuthIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));

  private static TestUpstream upstream;
  private static WildFlyServer wildfly;

  /** One WildFly for the class: its boot is the slow part. */
  @BeforeAll
  static void start() throws Exception {
    upstream = TestUpstream.start();
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-basic-auth"));
    addUser("alice", "wonderland-1", "gateway-user");
    addUser("bob", "builder-1", "other");
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"),
            """
            basic_auth:
              roles: [gateway-user]
            routes:
              - path: /private/*
                target: UPSTREAM
                middleware: [basic_auth]
              - path: /app/*
                methods: [GET]
                target: UPSTREAM
                middleware: [cors, basic_auth]
            cors:
              allow_origins: ["https://*.example.com"]
            """
                .replace("UPSTREAM", upstream.url()),
            StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=gateway.war").assertSucceeded();
  }

  /** {@code add-user.sh -a}: a user of the application realm, in this server's base. */
  private static void addUser(String user, String password, String role) throws Exception {
    Commands.run(
            List.of(
                "/bin/sh",
                wildfly.distribution().home().resolve("bin/add-user.sh").toString(),
                "-a",
                "-sc",
                wildfly.base().resolve("configuration").toString(),
                "-u",
                user,
                "-p",
                password,
                "-g",
                role),
            Map.of("JAVA_HOME", System.getProperty("java.home")),
            wildfly.base().resolve("commands/add-user-" + user + ".out"),
            Duration.ofSeconds(90))
        .assertSucceeded();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.clear();
  }

  @AfterAll
  static void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    upstream.close();
  }

  @Test
  void corsBeforeBasicAuthAnswersPreflightsAndMarksAnswers() throws Exception {
    assertCors("/gateway");
  }

  /** cors on a route limited to GET, before basic_auth, as a page on app.example.com uses it. */
  private void assertCors(String contextPath) throws Exception {
    String origin = "Origin: https://app.example.com";
    RawHttp.Response preflight =
        send(
            "OPTIONS",
            contextPath + "/app/x",
            origin,
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: authorization");
    assertEquals(204, preflight.status(), preflight.body());
    assertEquals(
        List.of("https://app.example.com"), preflight.headerValues("Access-Control-Allow-Origin"));
    assertEquals("GET, POST", preflight.header("Access-Control-Allow-Methods"));
    assertTrue(upstream.noRequestWithin(200), "the gateway answered the preflight");
    RawHttp.Response refused = send("GET", contextPath + "/app/x", origin);
    assertEquals(401, refused.status());
    assertEquals("https://app.example.com", refused.header("Access-Control-Allow-Origin"));
    RawHttp.Response ok =
        send("GET", contextPath + "/app/x", origin, basic("alice", "wonderland-1"));
    assertEquals(200, ok.status(), ok.body());
    assertEquals(
        List.of("https://app.example.com"), ok.headerValues("Access-Control-Allow-Origin"));
    assertEquals(List.of("Origin"), ok.headerValues("Vary"));
    assertEquals("alice", upstream.nextRequest().header("X-User-Id"));
    RawHttp.Response other =
        send(
            "GET",
            contextPath + "/app/x",
            "Origin: https://evil.test",
            basic("alice", "wonderland-1"));
    assertEquals(200, other.status());
    assertTrue(other.headerValues("Access-Control-Allow-Origin").isEmpty());
    upstream.nextRequest();
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private RawHttp.Response send(String method, String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(wildfly.httpPort(), request.append("Connection: close\n\n").toString());
  }

  private static String basic(String user, String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void applicationRealmUsersAreCheckedWithTheirRoles() throws Exception {
    RawHttp.Response ok = get("/gateway/private/x", basic("alice", "wonderland-1"));
    assertEquals(200, ok.status(), ok.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertEquals("alice", received.header("X-User-Id"));
    assertNull(received.header("Authorization"));

    RawHttp.Response wrong = get("/gateway/private/x", basic("alice", "wrong"));
    assertEquals(401, wrong.status(), wrong.body());
    assertEquals("Basic realm=\"gateway\"", wrong.header("WWW-Authenticate"));
    assertEquals("{\"error\":\"invalid credentials\"}", wrong.body());
    assertEquals(401, get("/gateway/private/x").status());
    RawHttp.Response noRole = get("/gateway/private/x", basic("bob", "builder-1"));
    assertEquals(403, noRole.status(), noRole.body());
    assertTrue(upstream.noRequestWithin(200), "no refused request reached the upstream");
  }
}
