package dev.gatewaywar.auth;

import dev.gatewaywar.auth.internal.AuthConfigReader;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigSection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code auth:} blocks: the top-level one says how tokens are checked, a route's own says what
 * that route requires (roles) and forwards (claims as headers).
 */
public final class AuthBlock implements ConfigBlock<AuthConfig, RouteAuthConfig> {
  public static final AuthBlock INSTANCE = new AuthBlock();

  private AuthBlock() {}

  @Override
  public String key() {
    return "auth";
  }

  @Override
  public AuthConfig readGlobal(ConfigSection section) {
    return AuthConfigReader.readGlobal(section);
  }

  @Override
  public RouteAuthConfig readRoute(ConfigSection section, AuthConfig global) {
    return AuthConfigReader.readRoute(section);
  }

  /** Unchecked requests on a route meant to be protected: refused, so {@code check} sees it. */
  @Override
  public void checkRoute(
      List<String> middleware,
      AuthConfig global,
      Optional<RouteAuthConfig> own,
      Consumer<String> refuse) {
    if (!global.enabled()) {
      refuse.accept("middleware 'auth' needs auth.enabled: true (with a secret or keys)");
    }
  }

  /** The claim headers: no client may send its own on any route. */
  @Override
  public Set<String> upstreamHeaders(AuthConfig global, Optional<RouteAuthConfig> own) {
    return own.map(a -> Set.copyOf(a.forwardClaims().values())).orElse(Set.of());
  }
}
