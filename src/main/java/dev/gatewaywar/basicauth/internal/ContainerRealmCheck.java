package dev.gatewaywar.basicauth.internal;

import dev.gatewaywar.basicauth.CredentialCheck;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.logging.Logger;

/**
 * The app server's own realm: {@code HttpServletRequest.login} (Tomcat's Realm of the host or
 * context, tomcat-users.xml by default; WildFly's security domain of the deployment), roles through
 * {@code isUserInRole}.
 */
public final class ContainerRealmCheck implements CredentialCheck {
  private static final Logger LOG = Logger.getLogger(ContainerRealmCheck.class.getName());

  private final List<String> roles;

  public ContainerRealmCheck(List<String> roles) {
    this.roles = List.copyOf(roles);
  }

  @Override
  public Verdict check(HttpServletRequest request, String user, String password) {
    try {
      request.login(user, password);
    } catch (ServletException e) {
      // the exception says why (no realm, wrong password), never the password
      LOG.fine(() -> "container login refused: " + e.getMessage());
      return Verdict.INVALID;
    }
    if (roles.isEmpty()) {
      return Verdict.ALLOWED;
    }
    for (String role : roles) {
      if (request.isUserInRole(role)) {
        return Verdict.ALLOWED;
      }
    }
    return Verdict.FORBIDDEN;
  }
}
