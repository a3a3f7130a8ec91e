package dev.gatewaywar.deploy;

import static dev.gatewaywar.deploy.ContainerLogins.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * basic_auth with {@code source: container} on real Tomcats (10.1 and 11): the users and roles are
 * those of the stock server.xml's UserDatabaseRealm, from conf/tomcat-users.xml.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatBasicAuthIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");

  private TestUpstream upstream;
  private TomcatServer tomcat;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  private void start(String home) throws Exception {
    Distribution distribution =
        new Distribution(Path.of(System.getProperty(home, "missing-" + home)));
    tomcat = TomcatServer.create(distribution, BASES.resolve(distribution + "-basic-auth"));
    Files.writeString(
        tomcat.base().resolve("conf/tomcat-users.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
          <role rolename="gateway-user"/>
          <user username="alice" password="wonderland" roles="gateway-user"/>
          <user username="bob" password="builder" roles="other"/>
        </tomcat-users>
        """);
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            """
            basic_auth:
              source: container
              roles: [gateway-user]
            routes:
              - path: /private/*
                target: UPSTREAM
                middleware: [basic_auth]
              - path: /anyone/*
                target: UPSTREAM
                middleware: [basic_auth]
                basic_auth:
                  realm: staff
                  roles: []
              - path: /app/*
                methods: [GET]
                target: UPSTREAM
                middleware: [cors, basic_auth]
            cors:
              allow_origins: ["https://*.example.com"]
            """
                .replace("UPSTREAM", upstream.url()),
            StandardCharsets.UTF_8);
    tomcat.deploy(WAR, "ROOT.war").start(config);
  }

  private ContainerLogins http() {
    return new ContainerLogins(tomcat.port(), upstream);
  }

  @AfterEach
  void stop() {
    if (tomcat != null) {
      tomcat.close();
    }
    upstream.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomcat10.home", "tomcat11.home"})
  void corsBeforeBasicAuthAnswersPreflightsAndMarksAnswers(String home) throws Exception {
    start(home);
    http().assertCorsBeforeBasicAuth("", "alice", basic("alice", "wonderland"));
  }

  private static void assertChallenged(RawHttp.Response r, String realm) {
    assertEquals(401, r.status(), r.body());
    assertEquals("Basic realm=\"" + realm + "\"", r.header("WWW-Authenticate"));
    assertEquals("{\"error\":\"invalid credentials\"}", r.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomcat10.home", "tomcat11.home"})
  void tomcatUsersAreCheckedWithTheirRoles(String home) throws Exception {
    start(home);
    RawHttp.Response ok =
        http().get("/private/x", basic("alice", "wonderland"), "X-User-Id: mallory");
    assertEquals(200, ok.status(), ok.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertEquals("alice", received.header("X-User-Id"));
    assertEquals(1, received.headerValues("X-User-Id").size());
    assertNull(received.header("Authorization"), "the credentials stay at the gateway");
    assertNull(ok.header("Set-Cookie"), "a login for one request makes no session");

    assertChallenged(http().get("/private/x"), "gateway");
    assertChallenged(http().get("/private/x", basic("alice", "wrong")), "gateway");
    assertChallenged(http().get("/private/x", basic("nobody", "wonderland")), "gateway");
    RawHttp.Response noRole = http().get("/private/x", basic("bob", "builder"));
    assertEquals(403, noRole.status());
    assertEquals("{\"error\":\"forbidden\"}", noRole.body());
    assertTrue(upstream.noRequestWithin(200), "no refused request reached the upstream");

    assertEquals(200, http().get("/anyone/x", basic("bob", "builder")).status());
    assertEquals("bob", upstream.nextRequest().header("X-User-Id"));
    assertChallenged(http().get("/anyone/x", basic("bob", "wrong")), "staff");
  }
}
