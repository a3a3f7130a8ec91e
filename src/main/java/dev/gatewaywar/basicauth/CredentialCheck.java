package dev.gatewaywar.basicauth;

import dev.gatewaywar.basicauth.internal.ContainerRealmCheck;
import dev.gatewaywar.basicauth.internal.HtpasswdCheck;
import jakarta.servlet.http.HttpServletRequest;

/** Checks a user name and password from {@code Authorization: Basic}. */
public interface CredentialCheck {

  /** What a check found. */
  enum Verdict {
    /** The password is right and the user has a required role (if any). */
    ALLOWED,
    /** Unknown user or wrong password: 401. */
    INVALID,
    /** The password is right but the user has none of the required roles: 403. */
    FORBIDDEN
  }

  Verdict check(HttpServletRequest request, String user, String password);

  /** The check {@code config}'s source describes. */
  static CredentialCheck of(BasicAuthConfig config) {
    return switch (config.source()) {
      case CONTAINER -> new ContainerRealmCheck(config.roles());
      case HTPASSWD -> new HtpasswdCheck(config.users()::hash);
    };
  }
}
