package dev.gatewaywar.auth.internal;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * The JWKS location an OpenID provider publishes in its discovery document ({@code
 * <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 section 4). Read once
 * successfully and then kept; the JWKS cache calls it only when it fetches, so discovery shares the
 * cache's rate bound.
 */
final class Discovery implements JwksCache.Location {
  private final String issuer;
  private final URI document;
  private final HttpFetch http;
  private volatile URI jwksUri;

  Discovery(String issuer, HttpFetch http) {
    this.issuer = issuer;
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    this.document = URI.create(base + "/.well-known/openid-configuration");
    this.http = http;
  }

  @Override
  public URI jwksUri() throws IOException {
    URI known = jwksUri;
    if (known != null) {
      return known;
    }
    Map<String, Object> doc;
    try {
      doc = JsonUtil.parseJson(http.body(document));
    } catch (JoseException e) {
      throw new IOException("discovery document at " + document + " is not JSON", e);
    }
    // Discovery 4.3: the issuer in the document must be exactly the one configured, or tokens
    // from another issuer could be checked with its keys
    if (!issuer.equals(doc.get("issuer"))) {
      throw new IOException(
          "discovery document at " + document + " names issuer " + doc.get("issuer"));
    }
    if (!(doc.get("jwks_uri") instanceof String uri)) {
      throw new IOException("discovery document at " + document + " has no jwks_uri");
    }
    try {
      jwksUri = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IOException("discovery document at " + document + ": bad jwks_uri", e);
    }
    return jwksUri;
  }
}
