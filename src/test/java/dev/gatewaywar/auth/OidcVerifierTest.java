package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.testing.MutableClock;
import dev.gatewaywar.testing.OidcServer;
import dev.gatewaywar.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code type: keycloak} / {@code oidc} against an OpenID provider played by a real HTTP server on
 * loopback: discovery, JWKS, Keycloak-shaped tokens, client checks and RFC 7662 introspection.
 */
class OidcVerifierTest {
  private final MutableClock clock = new MutableClock();
  private OidcServer server;
  private PublicJsonWebKey key;

  @BeforeEach
  void start() throws Exception {
    server = OidcServer.start();
    key = Tokens.keyFor("RS256", "realm-key");
    server.jwks(Tokens.jwks(key));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private TokenVerifier verifier(String type, String extra) {
    return TokenVerifier.of(
        AuthConfigs.auth("  type: " + type + "\n  issuer: " + server.issuer() + "\n" + extra),
        clock);
  }

  /** An access token as Keycloak issues it for client {@code gateway}. */
  private JwtClaims keycloakToken() {
    JwtClaims c = Tokens.claims(clock, "f3c1-alice");
    c.setIssuer(server.issuer());
    c.setAudience("account");
    c.setClaim("typ", "Bearer");
    c.setClaim("azp", "gateway");
    c.setClaim("preferred_username", "alice");
    c.setClaim("realm_access", Map.of("roles", List.of("offline_access", "user")));
    c.setClaim("resource_access", Map.of("gateway", Map.of("roles", List.of("admin"))));
    return c;
  }

  private Reason refusal(TokenVerifier v, String token) {
    return assertThrows(TokenException.class, () -> v.verify(token)).reason();
  }

  @Test
  void keycloakTokenIsVerifiedThroughDiscoveryAndJwks() throws Exception {
    TokenVerifier v = verifier("keycloak", "  client_id: gateway\n");

    Claims claims = v.verify(Tokens.sign(keycloakToken(), "RS256", key));

    assertEquals("alice", claims.string("preferred_username").get());
    assertEquals(Set.of("offline_access", "user", "admin"), claims.roles(Optional.of("gateway")));
    assertEquals(1, server.hits("discovery"));
    assertEquals(1, server.hits("certs"));
  }

  @Test
  void oidcIsAnAliasOfKeycloak() throws Exception {
    TokenVerifier v = verifier("oidc", "");
    assertEquals(
        "f3c1-alice", v.verify(Tokens.sign(keycloakToken(), "RS256", key)).subject().get());
  }

  @Test
  void tokenFromAnotherIssuerIsRefused() {
    TokenVerifier v = verifier("keycloak", "");
    JwtClaims c = keycloakToken();
    c.setIssuer("http://127.0.0.1:1/realms/other");
    assertEquals(Reason.WRONG_ISSUER, refusal(v, Tokens.sign(c, "RS256", key)));
  }

  @Test
  void tokenForAnotherClientIsRefusedWhenClientIdIsSet() throws Exception {
    TokenVerifier v = verifier("keycloak", "  client_id: gateway\n");
    JwtClaims c = keycloakToken();
    c.setClaim("azp", "other-app");
    assertEquals(Reason.WRONG_AUDIENCE, refusal(v, Tokens.sign(c, "RS256", key)));
    c.setAudience("account", "gateway"); // audience naming the client is enough
    v.verify(Tokens.sign(c, "RS256", key));
  }

  @Test
  void configuredAudienceIsChecked() {
    TokenVerifier v = verifier("keycloak", "  audience: [orders-api]\n");
    assertEquals(Reason.WRONG_AUDIENCE, refusal(v, Tokens.sign(keycloakToken(), "RS256", key)));
  }

  @Test
  void idTokenIsNotAnAccessToken() {
    TokenVerifier v = verifier("keycloak", "");
    JwtClaims c = keycloakToken();
    c.setClaim("typ", "ID");
    assertEquals(Reason.WRONG_TOKEN_TYPE, refusal(v, Tokens.sign(c, "RS256", key)));
  }

  @Test
  void discoveryNamingAnotherIssuerMakesKeysUnavailable() {
    server.issuerInDocument("https://attacker.example/realms/test");
    TokenVerifier v = verifier("keycloak", "");
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, Tokens.sign(keycloakToken(), "RS256", key)));
  }

  @Test
  void providerDownGivesUnavailable() {
    server.close();
    TokenVerifier v = verifier("keycloak", "");
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, Tokens.sign(keycloakToken(), "RS256", key)));
  }

  @Test
  void hsTokensAreNeverAcceptedFromAnOidcIssuer() {
    TokenVerifier v = verifier("keycloak", "");
    assertEquals(
        Reason.DISALLOWED_ALGORITHM, refusal(v, Tokens.hs(keycloakToken(), "HS256", "guess")));
  }

  @Test
  void opaqueTokensAreIntrospectedAndTheAnswerIsCached() throws Exception {
    String exp = String.valueOf(clock.millis() / 1000 + 3600);
    server.introspects(
        "opaque-1",
        "{\"active\":true,\"sub\":\"bob\",\"exp\":"
            + exp
            + ",\"iss\":\""
            + server.issuer()
            + "\"}");
    TokenVerifier v =
        verifier(
            "keycloak",
            "  introspection:\n    url: "
                + server.introspectionUrl()
                + "\n    client_id: gateway\n    client_secret: s3cret\n    cache_ttl: 30s\n");

    assertEquals("bob", v.verify("opaque-1").subject().get());
    assertEquals("bob", v.verify("opaque-1").subject().get());
    assertEquals(1, server.hits("introspect"));
    assertEquals(Reason.INACTIVE, refusal(v, "opaque-2"));
    clock.advance(Duration.ofSeconds(31));
    v.verify("opaque-1");
    assertEquals(3, server.hits("introspect"));
    // JWTs still go to the JWKS path, not to introspection
    v.verify(Tokens.sign(keycloakToken(), "RS256", key));
    assertEquals(3, server.hits("introspect"));
  }

  @Test
  void introspectionEndpointDownGivesUnavailable() {
    TokenVerifier v =
        verifier(
            "keycloak",
            "  introspection:\n    url: http://127.0.0.1:1/introspect\n    client_id: g\n");
    assertEquals(Reason.KEYS_UNAVAILABLE, refusal(v, "opaque-1"));
  }
}
