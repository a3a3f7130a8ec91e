package dev.gatewaywar.auth;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.api.SharedResources;
import dev.gatewaywar.auth.internal.AuthFilter;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.time.Clock;
import java.util.Optional;

/**
 * The built-in {@code auth} middleware: checks {@code Authorization: Bearer} tokens with the {@link
 * TokenVerifier} the global {@code auth:} block describes, and applies the route's own {@code
 * auth:} block (roles, claims forwarded as headers, stripping {@code Authorization}).
 *
 * <p>Every route that lists {@code auth} shares one verifier per {@code auth:} block, across
 * reloads that keep the block as it was, so a JWKS is fetched and cached once, not once per route
 * or per reload.
 */
public final class AuthMiddleware implements Middleware {
  public static final String NAME = "auth";

  private final Clock clock;

  /** Verifiers hold no resource to close; sharing them keeps one JWKS cache per auth block. */
  private final SharedResources<AuthConfig, TokenVerifier> verifiers =
      new SharedResources<>(v -> {});

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
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(AuthBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    AuthConfig config = context.global(AuthBlock.INSTANCE);
    SharedResources.Lease<TokenVerifier> verifier =
        verifiers.acquire(config, c -> TokenVerifier.of(c, clock));
    return new AuthFilter(
        verifier.resource(),
        context.own(AuthBlock.INSTANCE).orElse(RouteAuthConfig.DEFAULT),
        config.clientId(),
        verifier::release);
  }
}
