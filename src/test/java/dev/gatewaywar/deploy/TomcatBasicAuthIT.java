package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
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
    assertCors("");
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
    RawHttp.Response ok = send("GET", contextPath + "/app/x", origin, basic("alice", "wonderland"));
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
            basic("alice", "wonderland"));
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
    return RawHttp.send(tomcat.port(), request.append("Connection: close\n\n").toString());
  }

  private static String basic(String user, String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
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
    RawHttp.Response ok = get("/private/x", basic("alice", "wonderland"), "X-User-Id: mallory");
    assertEquals(200, ok.status(), ok.body());
    TestUpstream.Received received = upstream.nextRequest();
    assertEquals("alice", received.header("X-User-Id"));
    assertEquals(1, received.headerValues("X-User-Id").size());
    assertNull(received.header("Authorization"), "the credentials stay at the gateway");
    assertNull(ok.header("Set-Cookie"), "a login for one request makes no session");

    assertChallenged(get("/private/x"), "gateway");
    assertChallenged(get("/private/x", basic("alice", "wrong")), "gateway");
    assertChallenged(get("/private/x", basic("nobody", "wonderland")), "gateway");
    RawHttp.Response noRole = get("/private/x", basic("bob", "builder"));
    assertEquals(403, noRole.status());
    assertEquals("{\"error\":\"forbidden\"}", noRole.body());
    assertTrue(upstream.noRequestWithin(200), "no refused request reached the upstream");

    assertEquals(200, get("/anyone/x", basic("bob", "builder")).status());
    assertEquals("bob", upstream.nextRequest().header("X-User-Id"));
    assertChallenged(get("/anyone/x", basic("bob", "wrong")), "staff");
  }
}
