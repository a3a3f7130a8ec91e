package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.testing.TestLoaders;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code auth:} block and a route's own {@code auth:} block, read strictly. */
class AuthBlockTest {
  private static final ConfigLoader LOADER =
      new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, k -> null);

  private static GatewayConfig load(String yaml) throws ConfigException {
    return LOADER.parse(yaml, "test.yaml");
  }

  private static List<ConfigProblem> problems(String yaml) {
    return assertThrows(ConfigException.class, () -> load(yaml)).problems();
  }

  @Test
  void everyAuthKeyIsRead() throws ConfigException {
    AuthConfig a =
        load("""
                routes: []
                auth:
                  enabled: true
                  type: keycloak
                  issuer: https://id.example/realms/shop
                  algorithms: [RS256, ES256]
                  audience: [api]
                  required_claims: [sub, email]
                  clock_skew: 30s
                  client_id: gateway
                  jwks_refresh: 5m
                  fetch_timeout: 2s
                  introspection:
                    url: https://id.example/realms/shop/protocol/openid-connect/token/introspect
                    client_id: gateway
                    client_secret: s3cret
                    cache_ttl: 10s
                    introspect_jwts: true
                """)
            .global(AuthBlock.INSTANCE);

    assertEquals("keycloak", a.type());
    assertEquals(Optional.of("https://id.example/realms/shop"), a.issuer());
    assertEquals(List.of("RS256", "ES256"), a.effectiveAlgorithms());
    assertEquals(List.of("api"), a.audience());
    assertEquals(List.of("sub", "email"), a.requiredClaims());
    assertEquals(Duration.ofSeconds(30), a.clockSkew());
    assertEquals(Optional.of("gateway"), a.clientId());
    assertEquals(Duration.ofMinutes(5), a.jwksRefresh());
    assertEquals(Duration.ofSeconds(2), a.fetchTimeout());
    assertEquals(Duration.ofSeconds(10), a.introspection().get().cacheTtl());
    assertTrue(a.introspection().get().introspectJwts());
    assertTrue(!a.toString().contains("s3cret"), a.toString());
  }

  @Test
  void goOriginalBlockDefaultsToHs256() throws ConfigException {
    AuthConfig a =
        load("routes: []\nauth:\n  enabled: true\n  type: jwt\n  secret: x\n")
            .global(AuthBlock.INSTANCE);
    assertEquals(List.of("HS256"), a.effectiveAlgorithms());
    assertEquals(AuthConfig.DEFAULT_CLOCK_SKEW, a.clockSkew());
  }

  @Test
  void jwksUrlDefaultsToRs256() throws ConfigException {
    AuthConfig a =
        load("routes: []\nauth:\n  enabled: true\n  jwks_url: https://id.example/certs\n")
            .global(AuthBlock.INSTANCE);
    assertEquals(List.of("RS256"), a.effectiveAlgorithms());
    assertEquals(Optional.of(URI.create("https://id.example/certs")), a.jwksUrl());
  }

  @Test
  void unknownKeyInAuthIsReported() {
    ConfigProblem p = problems("routes: []\nauth:\n  secret: x\n  issuers: y\n").get(0);
    assertEquals(4, p.line());
    assertEquals("auth.issuers", p.key());
    assertTrue(p.message().contains("did you mean 'issuer'"), p.message());
  }

  @Test
  void algNoneCannotBeConfigured() {
    ConfigProblem p = problems("routes: []\nauth:\n  secret: x\n  algorithms: [none]\n").get(0);
    assertEquals("auth.algorithms[0]", p.key());
    assertTrue(p.message().contains("not an accepted algorithm"), p.message());
  }

  @Test
  void unknownTypeIsReported() {
    ConfigProblem p = problems("routes: []\nauth:\n  type: saml\n").get(0);
    assertEquals("auth.type", p.key());
  }

  @Test
  void enabledJwtWithoutSecretOrKeysIsReported() {
    ConfigProblem p = problems("routes: []\nauth:\n  enabled: true\n  type: jwt\n").get(0);
    assertEquals("auth", p.key());
    assertTrue(p.message().contains("secret is required"), p.message());
  }

  @Test
  void mixingHmacAndPublicKeyAlgorithmsIsReported() {
    ConfigProblem p =
        problems("routes: []\nauth:\n  enabled: true\n  secret: x\n  algorithms: [HS256, RS256]\n")
            .get(0);
    assertTrue(p.message().contains("all HS*"), p.message());
  }

  @Test
  void keycloakNeedsAnIssuer() {
    ConfigProblem p = problems("routes: []\nauth:\n  enabled: true\n  type: keycloak\n").get(0);
    assertTrue(p.message().contains("needs issuer"), p.message());
  }

  @Test
  void routeAuthBlockIsRead() throws ConfigException {
    RouteConfig r =
        load("""
                auth: {enabled: true, secret: x}
                routes:
                  - path: /admin
                    target: http://localhost:9000
                    middleware: [auth]
                    auth:
                      roles: [admin, ops]
                      forward_claims: {sub: X-User-Id, email: X-User-Email}
                      strip_authorization: true
                """)
            .routes()
            .get(0);

    assertEquals(List.of("admin", "ops"), r.own(AuthBlock.INSTANCE).orElseThrow().roles());
    assertEquals(
        Map.of("sub", "X-User-Id", "email", "X-User-Email"),
        r.own(AuthBlock.INSTANCE).orElseThrow().forwardClaims());
    assertEquals(
        List.of("sub", "email"),
        List.copyOf(r.own(AuthBlock.INSTANCE).orElseThrow().forwardClaims().keySet()));
    assertTrue(r.own(AuthBlock.INSTANCE).orElseThrow().stripAuthorization());
  }

  @Test
  void authMiddlewareWithoutAuthEnabledIsReportedAtTheName() {
    ConfigProblem p =
        problems(
                """
                routes:
                  - path: /admin
                    target: http://localhost:9000
                    middleware: [logging, auth]
                """)
            .get(0);
    assertEquals("routes[0].middleware[1]", p.key());
    assertEquals(4, p.line());
    assertTrue(p.message().contains("needs auth.enabled: true"), p.message());
  }

  @Test
  void routeAuthBlockWithoutTheAuthMiddlewareIsReported() {
    ConfigProblem p =
        problems(
                """
                routes:
                  - path: /admin
                    target: http://localhost:9000
                    auth:
                      roles: [admin]
                """)
            .get(0);
    assertEquals("routes[0].auth", p.key());
    assertEquals(5, p.line());
    assertTrue(p.message().contains("does not list auth"), p.message());
  }

  @Test
  void forwardedHeaderNameMustBeAToken() {
    ConfigProblem p =
        problems(
                """
                auth: {enabled: true, secret: x}
                routes:
                  - path: /admin
                    target: http://localhost:9000
                    middleware: [auth]
                    auth:
                      forward_claims: {sub: "X User"}
                """)
            .get(0);
    assertEquals("routes[0].auth.forward_claims.sub", p.key());
  }

  @Test
  void unknownKeyInRouteAuthIsReported() {
    ConfigProblem p =
        problems(
                """
                auth: {enabled: true, secret: x}
                routes:
                  - path: /admin
                    target: http://localhost:9000
                    middleware: [auth]
                    auth:
                      role: [admin]
                """)
            .get(0);
    assertEquals("routes[0].auth.role", p.key());
    assertTrue(p.message().contains("did you mean 'roles'"), p.message());
  }
}
