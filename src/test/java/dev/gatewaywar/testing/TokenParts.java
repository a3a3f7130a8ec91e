package dev.gatewaywar.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads and forges the parts of a compact JWS (header.payload.signature, RFC 7515 section 7.1) in
 * tests: what Keycloak put in a token, and tokens a verifier must refuse. Reading here checks
 * nothing: verifying is the gateway's job.
 */
public final class TokenParts {
  private static final JsonFactory JSON = new JsonFactory();

  private TokenParts() {}

  /** The decoded payload (the JWT claims set) as JSON text. */
  public static String payloadJson(String jwt) {
    return new String(Base64.getUrlDecoder().decode(part(jwt, 1)), StandardCharsets.UTF_8);
  }

  /** A string claim of the payload ({@code iss}, {@code azp}, {@code preferred_username}...). */
  public static String stringClaim(String jwt, String name) throws IOException {
    return stringField(payloadJson(jwt), name);
  }

  /** Keycloak's realm roles: the claim {@code realm_access.roles}; empty when absent. */
  public static List<String> realmRoles(String jwt) throws IOException {
    List<String> roles = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(payloadJson(jwt))) {
      expectObject(parser);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String claim = parser.currentName();
        parser.nextToken();
        if (claim.equals("realm_access") && parser.currentToken() == JsonToken.START_OBJECT) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            if (field.equals("roles") && parser.currentToken() == JsonToken.START_ARRAY) {
              while (parser.nextToken() == JsonToken.VALUE_STRING) {
                roles.add(parser.getText());
              }
            }
            parser.skipChildren();
          }
        } else {
          parser.skipChildren();
        }
      }
    }
    return roles;
  }

  /**
   * The classic forgery: {@code jwt} with {@code role} added to {@code realm_access.roles} in its
   * payload, header and signature kept as they were. Every other byte of the claims is the same.
   */
  public static String withRealmRoleAdded(String jwt, String role) throws IOException {
    StringWriter out = new StringWriter();
    boolean added = false;
    try (JsonParser parser = JSON.createParser(payloadJson(jwt));
        JsonGenerator generator = JSON.createGenerator(out)) {
      while (parser.nextToken() != null) {
        generator.copyCurrentEvent(parser);
        if (parser.currentToken() == JsonToken.START_ARRAY && isRealmRoles(parser)) {
          generator.writeString(role);
          added = true;
        }
      }
    }
    if (!added) {
      throw new IllegalArgumentException("token has no realm_access.roles to add to");
    }
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(out.toString().getBytes(StandardCharsets.UTF_8));
    return part(jwt, 0) + "." + payload + "." + part(jwt, 2);
  }

  /** {@code jwt} with one bit of its signature flipped; header and payload untouched. */
  public static String withSignatureAltered(String jwt) {
    byte[] signature = Base64.getUrlDecoder().decode(part(jwt, 2));
    signature[signature.length / 2] ^= 1;
    return part(jwt, 0)
        + "."
        + part(jwt, 1)
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  /** At the start of an array that is the value of {@code realm_access.roles} at top level. */
  private static boolean isRealmRoles(JsonParser parser) {
    JsonStreamContext realmAccess = parser.getParsingContext().getParent(); // holds "roles"
    JsonStreamContext claims = realmAccess.getParent(); // holds "realm_access"
    return "roles".equals(realmAccess.getCurrentName())
        && claims != null
        && "realm_access".equals(claims.getCurrentName())
        && claims.getParent() != null
        && claims.getParent().inRoot();
  }

  /** The string value of top-level field {@code name} of a JSON object, or null if absent. */
  public static String stringField(String json, String name) throws IOException {
    try (JsonParser parser = JSON.createParser(json)) {
      expectObject(parser);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals(name) && value == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    }
  }

  private static void expectObject(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("not a JSON object");
    }
  }

  private static String part(String jwt, int index) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a compact JWS: " + parts.length + " parts");
    }
    return parts[index];
  }
}
