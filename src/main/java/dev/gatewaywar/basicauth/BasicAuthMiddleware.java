package dev.gatewaywar.basicauth;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * The built-in {@code basic_auth} middleware: user names and passwords checked by the app server's
 * realm or against an htpasswd file of bcrypt entries.
 */
public final class BasicAuthMiddleware implements Middleware {
  public static final String NAME = "basic_auth";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(BasicAuthBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    BasicAuthConfig settings =
        context.own(BasicAuthBlock.INSTANCE).orElse(context.global(BasicAuthBlock.INSTANCE));
    return new BasicAuthFilter(CredentialCheck.of(settings), settings.realm());
  }
}
