package dev.gatewaywar.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Keycloak} harness itself, against the real Keycloak distribution: it starts, serves
 * the imported realm's discovery document and keys, and issues alice and bob the tokens the auth
 * tests rely on. One Keycloak for the class.
 */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class KeycloakHarnessIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static Keycloak keycloak;

  @BeforeAll
  static void startKeycloak() throws Exception {
    // without Java 21+ every test is reported skipped, with the reason (see skipWithoutJava21)
    if (Keycloak.whyNotRunnable().isPresent()) {
      System.out.println(
          "SKIPPED "
              + KeycloakHarnessIT.class.getSimpleName()
              + ": "
              + Keycloak.whyNotRunnable().get());
      return;
    }
    keycloak = Keycloak.start(Keycloak.workDir("harness"));
    System.out.println("Keycloak answered its discovery document in " + keycloak.startedIn());
  }

  @BeforeEach
  void skipWithoutJava21() {
    Assumptions.assumeTrue(
        keycloak != null, () -> Keycloak.whyNotRunnable().orElse("Keycloak did not start"));
  }

  @AfterAll
  static void stopKeycloakAndCheckItIsGone() throws Exception {
    if (keycloak == null) {
      return;
    }
    keycloak.close();
    assertFalse(keycloak.isAlive(), "kc.sh still running after close");
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), keycloak.port()), 1000);
      throw new AssertionError(keycloak + " was closed, yet its port still accepts connections");
    } catch (IOException expected) {
      // nothing listens any more
    }
  }

  @Test
  void discoveryDocumentNamesTheRealmAsIssuerAndPublishesItsSigningKeys() throws Exception {
    HttpResponse<String> discovery = get(keycloak.discoveryUrl());
    assertEquals(200, discovery.statusCode());
    assertEquals(keycloak.issuerUrl(), TokenParts.stringField(discovery.body(), "issuer"));
    String jwksUri = TokenParts.stringField(discovery.body(), "jwks_uri");
    assertTrue(jwksUri.startsWith(keycloak.issuerUrl() + "/"), jwksUri);

    HttpResponse<String> jwks = get(jwksUri);
    assertEquals(200, jwks.statusCode());
    assertTrue(keyTypes(jwks.body()).contains("RSA"), jwks.body());
  }

  @Test
  void aliceGetsAnAccessTokenWithRealmRoleAdmin() throws Exception {
    String token = keycloak.passwordGrant(Keycloak.ALICE, Keycloak.ALICE_PASSWORD);

    assertTrue(TokenParts.realmRoles(token).contains("admin"), TokenParts.payloadJson(token));
    assertEquals(keycloak.issuerUrl(), TokenParts.stringClaim(token, "iss"));
    assertEquals(Keycloak.CLIENT_ID, TokenParts.stringClaim(token, "azp"));
    assertEquals(Keycloak.ALICE, TokenParts.stringClaim(token, "preferred_username"));
  }

  @Test
  void bobGetsAnAccessTokenWithoutRealmRoleAdmin() throws Exception {
    String token = keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD);

    List<String> roles = TokenParts.realmRoles(token);
    assertFalse(roles.isEmpty(), TokenParts.payloadJson(token));
    assertFalse(roles.contains("admin"), roles::toString);
    assertEquals(Keycloak.BOB, TokenParts.stringClaim(token, "preferred_username"));
  }

  @Test
  void wrongPasswordIsRefusedByKeycloak() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> keycloak.passwordGrant(Keycloak.ALICE, "not-" + Keycloak.ALICE_PASSWORD));
    assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
  }

  @Test
  void forgedTokensDifferFromTheIssuedOneOnlyWhereIntended() throws Exception {
    String bob = keycloak.passwordGrant(Keycloak.BOB, Keycloak.BOB_PASSWORD);

    String promoted = TokenParts.withRealmRoleAdded(bob, "admin");
    assertTrue(TokenParts.realmRoles(promoted).contains("admin"));
    assertEquals(Keycloak.BOB, TokenParts.stringClaim(promoted, "preferred_username"));
    assertEquals(signature(bob), signature(promoted));

    String resigned = TokenParts.withSignatureAltered(bob);
    assertEquals(TokenParts.payloadJson(bob), TokenParts.payloadJson(resigned));
    assertNotEquals(signature(bob), signature(resigned));
  }

  private static String signature(String jwt) {
    return jwt.substring(jwt.lastIndexOf('.') + 1);
  }

  /** The {@code kty} of every key in a JWK set (RFC 7517 section 5). */
  private static List<String> keyTypes(String jwks) throws IOException {
    List<String> types = new ArrayList<>();
    try (JsonParser parser = new JsonFactory().createParser(jwks)) {
      while (parser.nextToken() != null) {
        if (parser.currentToken() == JsonToken.FIELD_NAME
            && parser.currentName().equals("kty")
            && parser.getParsingContext().getParent().inArray()) {
          parser.nextToken();
          types.add(parser.getText());
        }
      }
    }
    return types;
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
