package dev.gatewaywar.auth;

import java.util.List;
import java.util.Map;

/**
 * A route's own {@code auth:} block: what the {@code auth} middleware does beyond checking the
 * token.
 *
 * @param roles the token must carry at least one of these (Keycloak {@code realm_access.roles}, the
 *     client's {@code resource_access} roles, or a top-level {@code roles} claim); empty: any valid
 *     token
 * @param forwardClaims claim name (a dotted path reaches into objects) to the request header the
 *     upstream gets it in, in config order
 * @param stripAuthorization drop {@code Authorization} before proxying
 */
public record RouteAuthConfig(
    List<String> roles, Map<String, String> forwardClaims, boolean stripAuthorization) {
  public static final RouteAuthConfig DEFAULT = new RouteAuthConfig(List.of(), Map.of(), false);

  public RouteAuthConfig {
    roles = List.copyOf(roles);
    // keeps the config's order for predictable headers; unmodifiable
    forwardClaims =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(forwardClaims));
  }
}
