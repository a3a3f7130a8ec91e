package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.Keycloak;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TokenParts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code auth} middleware with {@code type: keycloak} against a real Keycloak: the built WAR
 * run with {@code java -jar}, configured with the realm's issuer URL only, so the gateway finds the
 * keys through the discovery document as in production. Tokens come from Keycloak's password grant;
 * {@code /admin} requires realm role {@code admin}, {@code /me} any valid token. One Keycloak and
 * one gateway for the class.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KeycloakIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private static Keycloak keycloak;
  private static TestUpstream upstream;
  private static GatewayProcess gateway;
  private static int gatewayPort;

  /** A second gateway that also asks Keycloak about every JWT (RFC 7662, introspect_jwts). */
  private static GatewayProcess introspecting;

  private static int introspectingPort;

  @BeforeAll
  static void startKeycloakUpstreamAndGateway() throws Exception {
    // without Java 21+ every test is reported skipped, with the reason (see
    // skipWithoutJava21ElseForgetEarlierRequests)
    if (Keycloak.whyNotRunnable().isPresent()) {
      System.out.println(
          "SKIPPED " + KeycloakIT.class.getSimpleName() + ": " + Keycloak.whyNotRunnable().get());
      return;
    }
    keycloak = Keycloak.start(Keycloak.workDir("auth"));
    System.out.println("Keycloak answered its discovery document in " + keycloak.startedIn());
    upstream = TestUpstream.start();
    gatewayPort = FreePortForArquillian.freePort();
    Path config = Files.createTempFile("keycloak-it", ".yaml");
    Files.writeString(config, config(), StandardCharsets.UTF_8);
    gateway = GatewayProcess.start(List.of(), gatewayPort, "--config", config.toString());
    introspectingPort = FreePortForArquillian.freePort();
    Path introspectingConfig = Files.createTempFile("keycloak-it-introspecting", ".yaml");
    Files.writeString(introspectingConfig, introspectingConfig(), StandardCharsets.UTF_8);
    introspecting =
        GatewayProcess.start(
            List.of(), introspectingPort, "--config", introspectingConfig.toString());
  }

  /** {@code /me} for any token Keycloak still says is active, asked at most once a second. */
  private static String introspectingConfig() {
    return """
        server:
          port: %d
        auth:
          enabled: true
          type: keycloak
          issuer: %s
          client_id: %s
          introspection:
            url: %s
            client_id: %s
            client_secret: %s
            cache_ttl: 1s
            introspect_jwts: true
        routes:
          - path: /me
            target: %s
            middleware: [auth]
        """
        .formatted(
            introspectingPort,
            keycloak.issuerUrl(),
            Keycloak.CLIENT_ID,
            keycloak.introspectionUrl(),
            Keycloak.INTROSPECTOR_ID,
            Keycloak.INTROSPECTOR_SECRET,
            upstream.url());
  }

  /** The example: one route for admins, one for anyone Keycloak vouches for. */
  private static String config() {
    return "server:\n"
        + "  port: "
        + gatewayPort
        + "\n"
        + "auth:\n"
        + "  enabled: true\n"
        + "  type: keycloak\n"
        + "  issuer: "
        + keycloak.issuerUrl()
        + "\n"
        + "  client_id: "
        + Keycloak.CLIENT_ID
        + "\n"
        + "routes:\n"
        + "  - path: /admin\n"
        + "    target: "
        + upstream.url()
        + "\n"
        + "    middleware: [auth]\n"
        + "    auth:\n"
        + "      roles: [admin]\n"
        + "  - path: /me\n"
        + "    target: "
        + upstream.url()
        + "\n"
        + "    middleware: [auth]\n";
  }

  @AfterAll
  static void stopEverything() throws Exception {
    // each one independently: a failure to start one must not leave the others running
    try {
      if (gateway != null) {
        gateway.close();
      }
      if (introspecting != null) {
        introspecting.close();
      }
    } finally {
      try {
        if (upstream != null) {
          upstream.close();
        }
      } finally {
        if (keycloak != null) {
          keycloak.close();
        }
      }
    }
  }

  @BeforeEach
  void skipWithoutJava21ElseForgetEarlierRequests() {
    Assumptions.assumeTrue(
        keycloak != null, () -> Keycloak.whyNotRunnable().orElse("Keycloak did not start"));
    upstream.clear();
  }

  @Test
  void adminWithRealmRoleAdminReachesAdminRoute() throws Exception {
    String alice = keycloak.passwordGrant(Keycloak.ALICE, Keycloak.ALICE_PASSWORD);

    HttpResponse<String> response = get("/admin", alice);

    assertEquals(200, response.statusCode(), () -> response.body() + "\n" + gatewayLog());
    assertEquals("ok", response.body());
    assertEquals("/admin", upstream.nextRequest().rawUri());
  }

  @Test
  void userWithoutRoleAdminGets403JsonOnAdminRouteAndIsNotProxied() throws Exception {
    String bob = keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD);

    HttpResponse<String> response = get("/admin", bob);

    assertAll(
        () -> assertEquals(403, response.statusCode(), () -> response.body() + "\n" + gatewayLog()),
        () ->
            assertTrue(contentType(response).startsWith("application/json"), contentType(response)),
        () -> assertEquals("forbidden", TokenParts.stringField(response.body(), "error")));
    assertTrue(upstream.noRequestWithin(300), "a forbidden request reached the upstream");
  }

  @Test
  void userWithoutRoleAdminReachesRouteWithoutRoleRule() throws Exception {
    String bob = keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD);

    HttpResponse<String> response = get("/me", bob);

    assertEquals(200, response.statusCode(), () -> response.body() + "\n" + gatewayLog());
    assertEquals("/me", upstream.nextRequest().rawUri());
  }

  @Test
  void noTokenGives401WithBearerChallenge() throws Exception {
    HttpResponse<String> response = get("/me", null);

    assertUnauthorized(response, "missing token");
  }

  @Test
  void tokenWithRoleAdminAddedByTheClientGives401Not403() throws Exception {
    // bob's real token, payload edited to claim admin, Keycloak's signature kept: the signature
    // no longer matches, so the gateway must not even read the roles
    String forged =
        TokenParts.withRealmRoleAdded(
            keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD), "admin");

    assertUnauthorized(get("/admin", forged), "invalid token");
  }

  @Test
  void tokenWithAlteredSignatureGives401() throws Exception {
    String altered =
        TokenParts.withSignatureAltered(
            keycloak.passwordGrant(Keycloak.ALICE, Keycloak.ALICE_PASSWORD));

    assertUnauthorized(get("/me", altered), "invalid token");
  }

  @Test
  void gatewayNeverLogsTheTokensItChecks() throws Exception {
    String alice = keycloak.passwordGrant(Keycloak.ALICE, Keycloak.ALICE_PASSWORD);
    String forged = TokenParts.withRealmRoleAdded(alice, "root");
    assertEquals(200, get("/admin", alice).statusCode());
    assertEquals(401, get("/admin", forged).statusCode());
    assertEquals(401, get("/admin", "not-a-jwt").statusCode());

    String log = gateway.output();
    for (String token : List.of(alice, forged)) {
      // any of the three parts would do to replay or forge; the signature alone is enough to tell
      String signature = token.substring(token.lastIndexOf('.') + 1);
      assertFalse(log.contains(signature), "the gateway's output contains a token it checked");
    }
    assertFalse(log.contains("not-a-jwt"), "the gateway's output contains a rejected credential");
  }

  @Test
  void aRevokedTokenIsRefusedWhereJwtsAreIntrospectedAndOnlyThere() throws Exception {
    String bob = keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD);
    HttpResponse<String> before = get(introspectingPort, "/me", bob);
    assertEquals(200, before.statusCode(), () -> before.body() + "\n" + introspectingLog());

    keycloak.revoke(bob);

    // the answer cached before the revocation is reused for cache_ttl (1 s), then Keycloak's
    // "active": false refuses the token whose signature and expiry are still good
    HttpResponse<String> after = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      after = get(introspectingPort, "/me", bob);
      if (after.statusCode() != 200) {
        break;
      }
      Thread.sleep(200);
    }
    HttpResponse<String> refused = after;
    assertEquals(401, refused.statusCode(), () -> refused.body() + "\n" + introspectingLog());
    assertEquals("invalid token", TokenParts.stringField(refused.body(), "error"));
    assertEquals(200, get("/me", bob).statusCode(), "the JWT alone is still valid");
  }

  private static void assertUnauthorized(HttpResponse<String> response, String error)
      throws InterruptedException {
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    assertAll(
        () -> assertEquals(401, response.statusCode(), () -> response.body() + "\n" + gatewayLog()),
        () -> assertTrue(challenge.startsWith("Bearer"), "WWW-Authenticate: " + challenge),
        () ->
            assertTrue(contentType(response).startsWith("application/json"), contentType(response)),
        () -> assertEquals(error, TokenParts.stringField(response.body(), "error")));
    assertTrue(upstream.noRequestWithin(300), "an unauthenticated request reached the upstream");
  }

  /** GET {@code path} through the gateway, with {@code Authorization: Bearer token} if given. */
  private static HttpResponse<String> get(String path, String token)
      throws IOException, InterruptedException {
    return get(gatewayPort, path, token);
  }

  private static HttpResponse<String> get(int port, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static String introspectingLog() {
    try {
      return introspecting.output();
    } catch (IOException e) {
      return "(gateway output unreadable: " + e + ")";
    }
  }

  private static String gatewayLog() {
    try {
      return gateway.output();
    } catch (IOException e) {
      return "(gateway output unreadable: " + e + ")";
    }
  }
}
