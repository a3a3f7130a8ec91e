package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.ContainerLogins.basic;
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

  private ContainerLogins http() {
    return new ContainerLogins(wildfly.httpPort(), upstream);
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
    http().assertCorsBeforeBasicAuth("/gateway", "alice", basic("alice", "wonderland-1"));
  }

  @Test
  void applicationRealmUsersAreCheckedWithTheirRoles() throws Exception {
    RawHttp.Response ok = http().get("/gateway/private/x", basic("alice", "wonderland-1"));
    assertEquals(200, ok.status(), ok.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertEquals("alice", received.header("X-User-Id"));
    assertNull(received.header("Authorization"));

    RawHttp.Response wrong = http().get("/gateway/private/x", basic("alice", "wrong"));
    assertEquals(401, wrong.status(), wrong.body());
    assertEquals("Basic realm=\"gateway\"", wrong.header("WWW-Authenticate"));
    assertEquals("{\"error\":\"invalid credentials\"}", wrong.body());
    assertEquals(401, http().get("/gateway/private/x").status());
    RawHttp.Response noRole = http().get("/gateway/private/x", basic("bob", "builder-1"));
    assertEquals(403, noRole.status(), noRole.body());
    assertTrue(upstream.noRequestWithin(200), "no refused request reached the upstream");
  }
}
