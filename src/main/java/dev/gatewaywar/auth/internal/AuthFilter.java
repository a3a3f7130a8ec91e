package dev.gatewaywar.auth.internal;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.auth.RouteAuthConfig;
import dev.gatewaywar.auth.TokenException;
import dev.gatewaywar.auth.TokenException.Reason;
import dev.gatewaywar.auth.TokenVerifier;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The {@code auth} middleware for one route: takes the bearer token (RFC 6750 2.1), has it
 * verified, checks the route's roles, attaches the {@link Claims} to the request and forwards the
 * configured claims as headers. Refusals are thrown as {@link GatewayException}s for the one error
 * writer; they are logged at debug level only (a flood of bad tokens must not flood the log), and
 * never with the token.
 */
public final class AuthFilter extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(AuthFilter.class.getName());
  private static final String REALM = "Bearer realm=\"gateway\"";

  /** RFC 6750 3.1: a request without credentials gets the challenge with no error code. */
  private static final GatewayException MISSING =
      new GatewayException(GatewayError.MISSING_TOKEN, Map.of("WWW-Authenticate", REALM));

  private static final GatewayException FORBIDDEN =
      new GatewayException(
          GatewayError.FORBIDDEN,
          Map.of("WWW-Authenticate", REALM + ", error=\"insufficient_scope\""));

  private static final GatewayException UNAVAILABLE =
      new GatewayException(GatewayError.SERVICE_UNAVAILABLE, Map.of("Retry-After", "5"));

  private static final Map<Reason, GatewayException> INVALID = new EnumMap<>(Reason.class);

  static {
    for (Reason r : Reason.values()) {
      INVALID.put(
          r,
          new GatewayException(
              GatewayError.INVALID_TOKEN,
              Map.of(
                  "WWW-Authenticate",
                  REALM
                      + ", error=\"invalid_token\", error_description=\""
                      + r.description()
                      + "\"")));
    }
  }

  private final TokenVerifier verifier;
  private final List<String> roles;
  private final Optional<String> client;
  private final Map<String, String> forwardClaims;
  private final Set<String> hidden;
  private final Runnable release;

  /**
   * @param release gives the verifier back when this filter is retired
   */
  public AuthFilter(
      TokenVerifier verifier, RouteAuthConfig route, Optional<String> client, Runnable release) {
    this.verifier = verifier;
    this.release = release;
    this.roles = route.roles();
    this.client = client;
    this.forwardClaims = route.forwardClaims();
    Set<String> h = new HashSet<>();
    for (String header : forwardClaims.values()) {
      h.add(header.toLowerCase(Locale.ROOT));
    }
    if (route.stripAuthorization()) {
      h.add("authorization");
    }
    this.hidden = Set.copyOf(h);
  }

  @Override
  public void destroy() {
    release.run();
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String token = bearerToken(request);
    Claims claims;
    try {
      claims = verifier.verify(token);
    } catch (TokenException e) {
      LOG.fine(() -> "token refused on " + request.getRequestURI() + ": " + e.getMessage());
      throw e.reason() == Reason.KEYS_UNAVAILABLE ? UNAVAILABLE : INVALID.get(e.reason());
    }
    if (!roles.isEmpty() && Collections.disjoint(roles, claims.roles(client))) {
      LOG.fine(() -> "token lacks the roles of " + request.getRequestURI());
      throw FORBIDDEN;
    }
    claims.attachTo(request);
    Map<String, String[]> added = hidden.isEmpty() ? Map.of() : added(claims);
    for (String[] header : added.values()) {
      GatewayHeaders.set(request, header[0], header[1]);
    }
    chain.doFilter(
        hidden.isEmpty() ? request : new ClaimHeadersRequest(request, hidden, added), response);
  }

  /**
   * The token of {@code Authorization: Bearer <token>}. The scheme is case-insensitive (RFC 9110
   * 11.1); another scheme counts as no token; a second Authorization header or a blank or spaced
   * token is invalid.
   */
  static String bearerToken(HttpServletRequest request) {
    Enumeration<String> values = request.getHeaders("Authorization");
    if (values == null || !values.hasMoreElements()) {
      throw MISSING;
    }
    String value = values.nextElement();
    if (values.hasMoreElements()) {
      throw INVALID.get(Reason.MALFORMED);
    }
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw MISSING;
    }
    String token = value.substring(7).strip();
    if (token.isEmpty() || token.indexOf(' ') >= 0 || token.indexOf('\t') >= 0) {
      throw INVALID.get(Reason.MALFORMED);
    }
    return token;
  }

  private Map<String, String[]> added(Claims claims) {
    Map<String, String[]> added = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : forwardClaims.entrySet()) {
      claims
          .string(e.getKey())
          .filter(AuthFilter::isHeaderSafe)
          .ifPresent(
              v ->
                  added.put(e.getValue().toLowerCase(Locale.ROOT), new String[] {e.getValue(), v}));
    }
    return added;
  }

  /**
   * A claim with a control character (CR, LF...) would split the upstream request's headers, and
   * header values outside ASCII have no agreed encoding (RFC 9110 5.5): such claims are not sent.
   */
  private static boolean isHeaderSafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
