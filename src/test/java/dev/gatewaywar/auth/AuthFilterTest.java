package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.testing.ClaimsEchoMiddleware;
import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TestUpstream.Received;
import dev.gatewaywar.testing.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code auth} middleware end to end: the WAR on an embedded Tomcat with the Go original's
 * {@code auth: {enabled, type: jwt, secret}} block, a real upstream on loopback.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthFilterTest {
  private static final String SECRET = "your-secret";
  private static TestUpstream upstream;

  @ArquillianResource private URL base;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Clock clock = Clock.systemUTC();

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    JavaArchive echo =
        ShrinkWrap.create(JavaArchive.class, "claims-echo.jar")
            .addClass(ClaimsEchoMiddleware.class)
            .addAsServiceProvider(Middleware.class, ClaimsEchoMiddleware.class);
    return GatewayArchive.withConfig(
            "ROOT.war",
            """
            auth:
              enabled: true
              type: jwt
              secret: "%2$s"
            routes:
              - path: /open/*
                target: %1$s
              - path: /api/*
                target: %1$s
                middleware: [auth, claims-echo]
              - path: /admin/*
                target: %1$s
                middleware: [auth]
                auth:
                  roles: [admin]
              - path: /me/*
                target: %1$s
                middleware: [auth]
                auth:
                  forward_claims: {sub: X-User-Id, email: X-User-Email}
                  strip_authorization: true
            """
                .formatted(upstream.url(), SECRET))
        .addAsLibrary(echo);
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.clear();
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort() + path))
            .timeout(Duration.ofSeconds(20));
    headers.forEach(b::header);
    return http.send(b.build(), BodyHandlers.ofString());
  }

  private String token(String sub) {
    return Tokens.hs(Tokens.claims(clock, sub), "HS256", SECRET);
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static void assertJsonError(HttpResponse<String> r, int status, String error) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("{\"error\":\"" + error + "\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void missingTokenGives401JsonWithABareBearerChallenge() throws Exception {
    HttpResponse<String> r = get("/api/x", Map.of());

    assertJsonError(r, 401, "missing token");
    // RFC 6750 3.1: no error code when the request carried no credentials
    assertEquals("Bearer realm=\"gateway\"", r.headers().firstValue("WWW-Authenticate").get());
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void anotherAuthorizationSchemeCountsAsNoToken() throws Exception {
    assertJsonError(get("/api/x", Map.of("Authorization", "Basic YTpi")), 401, "missing token");
  }

  @Test
  void bearerSchemeIsCaseInsensitive() throws Exception {
    assertEquals(
        200, get("/api/x", Map.of("Authorization", "bearer " + token("alice"))).statusCode());
  }

  @Test
  void twoAuthorizationHeadersAreInvalid() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort() + "/api/x"))
                .header("Authorization", "Bearer " + token("alice"))
                .header("Authorization", "Bearer " + token("mallory"))
                .build(),
            BodyHandlers.ofString());
    assertJsonError(r, 401, "invalid token");
  }

  @Test
  void invalidTokensGive401WithInvalidTokenError() throws Exception {
    JwtClaims expired = Tokens.claims(clock, "alice");
    expired.setExpirationTimeMinutesInTheFuture(-5);
    for (String bad :
        List.of(
            "garbage",
            Tokens.hs(Tokens.claims(clock, "alice"), "HS256", "not-the-secret"),
            Tokens.hs(expired, "HS256", SECRET),
            Tokens.none(Tokens.claims(clock, "alice")),
            Tokens.hs(Tokens.claims(clock, "alice"), "HS512", SECRET))) {
      HttpResponse<String> r = get("/api/x", bearer(bad));

      assertJsonError(r, 401, "invalid token");
      String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
      assertTrue(
          challenge.startsWith("Bearer realm=\"gateway\", error=\"invalid_token\""), challenge);
    }
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void validTokenIsForwardedUnchangedAndLaterFiltersSeeTheClaims() throws Exception {
    String token = token("alice");

    HttpResponse<String> r = get("/api/x", bearer(token));

    assertEquals(200, r.statusCode());
    assertEquals("alice", r.headers().firstValue(ClaimsEchoMiddleware.HEADER).get());
    assertEquals("Bearer " + token, upstream.nextRequest().header("Authorization"));
  }

  @Test
  void tokenWithoutTheRouteRoleGives403WithInsufficientScope() throws Exception {
    HttpResponse<String> r = get("/admin/panel", bearer(token("alice")));

    assertJsonError(r, 403, "forbidden");
    assertTrue(
        r.headers().firstValue("WWW-Authenticate").get().contains("error=\"insufficient_scope\""));
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void tokenWithTheRouteRoleInRealmAccessPasses() throws Exception {
    JwtClaims c = Tokens.claims(clock, "root");
    c.setClaim("realm_access", Map.of("roles", List.of("user", "admin")));

    HttpResponse<String> r = get("/admin/panel", bearer(Tokens.hs(c, "HS256", SECRET)));

    assertEquals(200, r.statusCode());
    assertEquals("/admin/panel", upstream.nextRequest().rawUri());
  }

  @Test
  void claimsAreForwardedAsHeadersAndClientCopiesAreRemoved() throws Exception {
    HttpResponse<String> r =
        get(
            "/me/profile",
            Map.of(
                "Authorization", "Bearer " + token("alice"),
                "X-User-Id", "mallory",
                "x-user-email", "mallory@example.com"));

    assertEquals(200, r.statusCode());
    Received received = upstream.nextRequest();
    assertEquals(List.of("alice"), received.headerValues("X-User-Id"));
    // the token has no email claim: the forged one is gone and none is added
    assertEquals(List.of(), received.headerValues("X-User-Email"));
    assertNull(received.header("Authorization"));
  }

  @Test
  void connectionTokenCannotRemoveAClaimHeader() throws Exception {
    RawHttp.send(
        base.getPort(),
        "GET /me/x HTTP/1.1\nHost: gw\nAuthorization: Bearer "
            + token("bob")
            + "\nConnection: close, X-User-Id\n\n");

    assertEquals(List.of("bob"), upstream.nextRequest().headerValues("X-User-Id"));
  }

  @Test
  void underscoreSpellingOfAClaimHeaderIsNotForwarded() throws Exception {
    RawHttp.send(
        base.getPort(),
        "GET /me/x HTTP/1.1\nHost: gw\nAuthorization: Bearer "
            + token("bob")
            + "\nX_User_Id: root\nx_user_email: root@example.com\nConnection: close\n\n");

    Received received = upstream.nextRequest();
    assertEquals(List.of("bob"), received.headerValues("X-User-Id"));
    assertEquals(List.of(), received.headerValues("X_User_Id"));
    assertEquals(List.of(), received.headerValues("X_User_Email"));
  }

  @Test
  void aClaimHeaderAnyRouteForwardsIsDroppedFromClientsOnRoutesWithoutAuth() throws Exception {
    assertEquals(
        200, get("/open/x", Map.of("X-User-Id", "anyone", "X-Other", "kept")).statusCode());
    TestUpstream.Received received = upstream.nextRequest();
    assertNull(received.header("X-User-Id"), "a client's identity header reached the upstream");
    assertEquals("kept", received.header("X-Other"));
  }
}
