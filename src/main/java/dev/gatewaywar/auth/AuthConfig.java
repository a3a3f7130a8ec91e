package dev.gatewaywar.auth;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code auth:} block. The Go original's {@code enabled}, {@code type} and {@code secret} keep
 * their meaning; the other keys configure asymmetric keys, JWKS and OpenID Connect. Secrets never
 * appear in {@link #toString()}.
 *
 * @param type {@code jwt}, {@code keycloak} or {@code oidc} (an alias of keycloak)
 * @param secret the HMAC secret for HS algorithms; empty when keys are used instead
 * @param algorithms accepted JWS algorithms; empty means {@link #effectiveAlgorithms() the default}
 * @param publicKey a PEM public key (inline, or read from {@code public_key_file}); empty if none
 * @param jwksUrl where the verification keys are published
 * @param issuer the expected {@code iss}; for keycloak/oidc also where discovery starts
 * @param audience accepted {@code aud} values; a token must name at least one; empty: not checked
 * @param requiredClaims claims a token must carry
 * @param clockSkew leeway for {@code exp}, {@code nbf} and {@code iat}
 * @param clientId keycloak/oidc: the client whose {@code resource_access} roles count and which
 *     {@code azp} (or {@code aud}) must name
 * @param introspection RFC 7662 introspection for tokens that are not JWTs
 * @param jwksRefresh how old the cached JWKS may get before it is fetched again
 * @param fetchTimeout connect and read timeout for discovery, JWKS and introspection requests
 */
public record AuthConfig(
    boolean enabled,
    String type,
    String secret,
    List<String> algorithms,
    String publicKey,
    Optional<URI> jwksUrl,
    Optional<String> issuer,
    List<String> audience,
    List<String> requiredClaims,
    Duration clockSkew,
    Optional<String> clientId,
    Optional<IntrospectionConfig> introspection,
    Duration jwksRefresh,
    Duration fetchTimeout) {
  public static final String DEFAULT_TYPE = "jwt";
  public static final Set<String> TYPES = Set.of("jwt", "keycloak", "oidc");
  public static final Set<String> HMAC_ALGORITHMS = Set.of("HS256", "HS384", "HS512");
  public static final Set<String> ALGORITHMS =
      Set.of(
          "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
          "ES384", "ES512");
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(10);
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(3);
  public static final AuthConfig DEFAULT = new AuthConfig(false, DEFAULT_TYPE, "");

  public AuthConfig {
    algorithms = List.copyOf(algorithms);
    audience = List.copyOf(audience);
    requiredClaims = List.copyOf(requiredClaims);
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("auth.type must be one of jwt, keycloak, oidc");
    }
    for (String a : algorithms) {
      if (!ALGORITHMS.contains(a)) {
        throw new IllegalArgumentException("unsupported algorithm " + a);
      }
    }
  }

  /** The Go original's shape: HS256 with {@code secret}, every other key at its default. */
  public AuthConfig(boolean enabled, String type, String secret) {
    this(
        enabled,
        type,
        secret,
        List.of(),
        "",
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of(),
        DEFAULT_CLOCK_SKEW,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_JWKS_REFRESH,
        DEFAULT_FETCH_TIMEOUT);
  }

  /** True for {@code keycloak} and {@code oidc}: keys come from the issuer's discovery document. */
  public boolean usesDiscovery() {
    return !type.equals("jwt");
  }

  /**
   * The accepted algorithms: as configured, else HS256 with a secret and no keys, else RS256 (what
   * Keycloak signs with by default). Never taken from a token.
   */
  public List<String> effectiveAlgorithms() {
    if (!algorithms.isEmpty()) {
      return algorithms;
    }
    boolean keys = usesDiscovery() || jwksUrl.isPresent() || !publicKey.isBlank();
    return List.of(keys ? "RS256" : "HS256");
  }

  /**
   * What is missing or contradictory for the verifier this block describes; empty when usable.
   * Checked when a route uses {@code auth}, and by the loader when {@code enabled: true}.
   */
  public Optional<String> problem() {
    List<String> algs = effectiveAlgorithms();
    boolean hmac = algs.stream().anyMatch(HMAC_ALGORITHMS::contains);
    boolean asymmetric = algs.stream().anyMatch(a -> !HMAC_ALGORITHMS.contains(a));
    if (hmac && asymmetric) {
      // one verifier holds either a shared secret or public keys: mixing them is how RS->HS
      // confusion attacks get in
      return Optional.of("algorithms must be all HS* (with secret) or all RS/PS/ES (with keys)");
    }
    if (usesDiscovery()) {
      if (issuer.isEmpty()) {
        return Optional.of("type " + type + " needs issuer (the realm URL)");
      }
      if (hmac) {
        return Optional.of("type " + type + " verifies with the issuer's keys: HS* not allowed");
      }
      return Optional.empty();
    }
    if (hmac && secret.isEmpty()) {
      return Optional.of("secret is required for " + String.join(", ", algs));
    }
    if (asymmetric && publicKey.isBlank() && jwksUrl.isEmpty()) {
      return Optional.of("public_key, public_key_file or jwks_url is required for " + algs);
    }
    if (asymmetric && !publicKey.isBlank() && jwksUrl.isPresent()) {
      return Optional.of("set either public_key or jwks_url, not both");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "AuthConfig[enabled="
        + enabled
        + ", type="
        + type
        + ", secret=***, algorithms="
        + effectiveAlgorithms()
        + ", issuer="
        + issuer.orElse("")
        + ", jwksUrl="
        + jwksUrl.map(URI::toString).orElse("")
        + ", introspection="
        + introspection
        + "]";
  }

  /**
   * RFC 7662 token introspection for opaque tokens, and for JWTs too when asked.
   *
   * @param cacheTtl how long an answer is reused for the same token
   * @param introspectJwts whether a JWT, once its signature and claims are verified, is also asked
   *     about, so a token the provider revoked is refused before it expires (at the cost of one
   *     introspection per token and {@code cacheTtl})
   */
  public record IntrospectionConfig(
      URI url, String clientId, String clientSecret, Duration cacheTtl, boolean introspectJwts) {
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);
    public static final boolean DEFAULT_INTROSPECT_JWTS = false;

    @Override
    public String toString() {
      return "IntrospectionConfig[url=" + url + ", clientId=" + clientId + ", clientSecret=***]";
    }
  }
}
