package dev.gatewaywar.auth;

import dev.gatewaywar.Middleware;
import dev.gatewaywar.MiddlewareContext;
import dev.gatewaywar.auth.internal.AuthFilter;
import dev.gatewaywar.config.AuthConfig;
import jakarta.servlet.Filter;
import java.time.Clock;

/**
 * The built-in {@code auth} middleware: checks {@code Authorization: Bearer} tokens with the {@link
 * TokenVerifier} the global {@code auth:} block describes, and applies the route's own {@code
 * auth:} block (roles, claims forwarded as headers, stripping {@code Authorization}).
 *
 * <p>Every route that lists {@code auth} shares one verifier per configuration, so a JWKS is
 * fetched and cached once, not once per route.
 */
public final class AuthMiddleware implements Middleware {
  public static final String NAME = "auth";

  private final Clock clock;
  private AuthConfig lastConfig;
  private TokenVerifier lastVerifier;

  public AuthMiddleware() {
    this(Clock.systemUTC());
  }

  public AuthMiddleware(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Filter create(MiddlewareContext context) {
    AuthConfig config = context.config().auth();
    if (!config.enabled()) {
      // passing requests through would be the open door the route meant to close
      throw new IllegalArgumentException(
          "the route lists auth but auth.enabled is false: enable it or remove auth from the route");
    }
    return new AuthFilter(verifierFor(config), context.route().auth(), config.clientId());
  }

  private synchronized TokenVerifier verifierFor(AuthConfig config) {
    // Identity, not equals: the routes of one config share one AuthConfig instance. A record's
    // equals is bootstrapped through java.lang.runtime.ObjectMethods, whose shared method handle
    // on Java 17 caches the last record class it was adapted to, which keeps an undeployed
    // webapp's class loader alive (seen on WildFly 39 with heap dumps; WildFlyDistributionIT).
    if (config != lastConfig) {
      lastVerifier = TokenVerifier.of(config, clock);
      lastConfig = config;
    }
    return lastVerifier;
  }
}
