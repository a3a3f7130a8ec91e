package dev.gatewaywar.basicauth;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code basic_auth:} settings.
 *
 * @param realm the realm named in {@code WWW-Authenticate}
 * @param source who checks the password: the app server's own realm, or a bcrypt password file
 * @param file the password file of {@link Source#HTPASSWD} (null for {@link Source#CONTAINER})
 * @param users the file's users, read when the configuration is loaded (empty for the container)
 * @param roles the container roles of which the user needs one (empty: any authenticated user)
 */
public record BasicAuthConfig(
    String realm, Source source, Path file, Htpasswd users, List<String> roles) {
  public static final String DEFAULT_REALM = "gateway";

  /** Who checks user names and passwords. */
  public enum Source {
    /** The app server's realm, through {@code HttpServletRequest.login}. */
    CONTAINER,
    /** An htpasswd file of bcrypt entries. */
    HTPASSWD
  }

  public static final BasicAuthConfig DEFAULT =
      new BasicAuthConfig(DEFAULT_REALM, Source.CONTAINER, null, Htpasswd.EMPTY, List.of());

  public BasicAuthConfig {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(users, "users");
    roles = List.copyOf(roles);
  }
}
