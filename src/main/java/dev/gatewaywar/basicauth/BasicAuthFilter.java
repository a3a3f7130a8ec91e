package dev.gatewaywar.basicauth;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.GatewayHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * One route's basic authentication (RFC 7617): the user name and password of {@code Authorization:
 * Basic} are checked by the route's {@link CredentialCheck}. The upstream gets the user's name in
 * {@code X-User-Id} and never the client's {@code Authorization}; refusals are 401 with the realm's
 * challenge (403 for a user without a required role).
 */
final class BasicAuthFilter extends HttpFilter {
  private static final String AUTHORIZATION = "Authorization";

  private final CredentialCheck check;
  private final GatewayException challenge;

  BasicAuthFilter(CredentialCheck check, String realm) {
    this.check = check;
    this.challenge =
        new GatewayException(
            GatewayError.INVALID_CREDENTIALS,
            Map.of("WWW-Authenticate", "Basic realm=\"" + realm + "\""));
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String[] credentials = credentials(request.getHeader(AUTHORIZATION));
    if (credentials == null) {
      throw challenge;
    }
    switch (check.check(request, credentials[0], credentials[1])) {
      case ALLOWED -> {}
      case INVALID -> throw challenge;
      case FORBIDDEN -> throw new GatewayException(GatewayError.FORBIDDEN);
    }
    GatewayHeaders.removeClientHeader(request, AUTHORIZATION);
    GatewayHeaders.set(request, BasicAuthBlock.USER_HEADER, credentials[0]);
    chain.doFilter(request, response);
  }

  /** {user, password} from a {@code Basic} header value (UTF-8); null when there are none. */
  static String[] credentials(String authorization) {
    if (authorization == null
        || authorization.length() < 6
        || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
    int colon = decoded.indexOf(':'); // RFC 7617 section 2: the user-id holds no colon
    if (colon <= 0 || hasControl(decoded)) {
      return null;
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }

  /** Control characters cannot be in a user-id or password (RFC 7617 section 2). */
  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
