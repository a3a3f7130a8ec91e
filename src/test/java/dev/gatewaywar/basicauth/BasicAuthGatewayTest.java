package dev.gatewaywar.basicauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * basic_auth with an htpasswd file, in the gateway on an embedded Tomcat before a real upstream.
 */
class BasicAuthGatewayTest {
  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    Path users = dir.resolve("users.htpasswd");
    Files.write(
        users,
        List.of(
            "alice:" + BCrypt.hashpw("wonderland", BCrypt.gensalt("$2y", 4)),
            "bob:" + BCrypt.hashpw("builder", BCrypt.gensalt("$2b", 4))));
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        basic_auth:
          source: htpasswd
          file: USERS
        routes:
          - path: /private/*
            target: UPSTREAM
            middleware: [basic_auth]
          - path: /shop/*
            target: UPSTREAM
            middleware: [basic_auth]
            basic_auth:
              realm: shop
          - path: /open/*
            target: UPSTREAM
        """
            .replace("USERS", users.toString())
            .replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  private static String basic(String user, String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void assertChallenged(RawHttp.Response r, String realm) {
    assertEquals(401, r.status());
    assertEquals("Basic realm=\"" + realm + "\"", r.header("WWW-Authenticate"));
    assertEquals("{\"error\":\"invalid credentials\"}", r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"));
  }

  @Test
  void rightPasswordIsProxiedWithTheUserAndWithoutTheCredentials() throws Exception {
    RawHttp.Response r = get("/private/x", basic("alice", "wonderland"), "X-User-Id: mallory");
    assertEquals(200, r.status());
    TestUpstream.Received received = upstream.nextRequest();
    assertEquals(List.of("alice"), received.headerValues("X-User-Id"), "the client's copy dropped");
    assertNull(received.header("Authorization"));
  }

  @Test
  void eachBcryptVariantIsChecked() throws Exception {
    assertEquals(200, get("/private/x", basic("bob", "builder")).status());
    assertEquals("bob", upstream.nextRequest().header("X-User-Id"));
  }

  @Test
  void missingWrongOrUnknownCredentialsAre401WithTheChallenge() throws Exception {
    assertChallenged(get("/private/x"), "gateway");
    assertChallenged(get("/private/x", basic("alice", "wrong")), "gateway");
    assertChallenged(get("/private/x", basic("alice", "wonderland2")), "gateway");
    assertChallenged(get("/private/x", basic("mallory", "wonderland")), "gateway");
    assertChallenged(get("/private/x", "Authorization: Bearer abc"), "gateway");
    assertChallenged(get("/private/x", "Authorization: Basic %%%"), "gateway");
    assertChallenged(get("/shop/x", basic("alice", "wrong")), "shop");
    assertTrue(upstream.noRequestWithin(200), "no refused request reached the upstream");
  }

  @Test
  void aRememberedPasswordIsStillCheckedAgainstTheUser() throws Exception {
    assertEquals(200, get("/private/x", basic("alice", "wonderland")).status());
    assertEquals(200, get("/private/x", basic("alice", "wonderland")).status());
    assertChallenged(get("/private/x", basic("bob", "wonderland")), "gateway");
    assertChallenged(get("/private/x", basic("alice", "builder")), "gateway");
  }

  @Test
  void routesWithoutBasicAuthDoNotPassAForgedUser() throws Exception {
    assertEquals(200, get("/open/x", "X-User-Id: mallory", basic("a", "b")).status());
    TestUpstream.Received received = upstream.nextRequest();
    assertNull(received.header("X-User-Id"));
    assertTrue(received.header("Authorization").startsWith("Basic "), "passed on untouched");
  }

  @Test
  void containerSourceWithoutARealmRefusesEveryone() throws Exception {
    gateway.close();
    Path file = dir.resolve("container.yaml");
    Files.writeString(
        file,
        """
        routes:
          - path: /private/*
            target: UPSTREAM
            middleware: [basic_auth]
        """
            .replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
    // the embedded runner has no realm: HttpServletRequest.login fails, the gateway answers 401
    assertChallenged(get("/private/x", basic("alice", "wonderland")), "gateway");
  }
}
