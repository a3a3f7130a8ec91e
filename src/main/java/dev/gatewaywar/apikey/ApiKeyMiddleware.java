package dev.gatewaywar.apikey;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.apikey.internal.ApiKeyFilter;
import dev.gatewaywar.apikey.internal.KeyTable;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * The built-in {@code api_key} middleware: a request must present one of the route's keys in the
 * key header (default {@code X-API-Key}), else 401 {@code invalid api key}. Keys are configured by
 * their SHA-256 only. The accepted key's consumer name goes upstream as {@code X-Consumer}, to the
 * access log as {@code consumer}, and is what {@code rate_limit.key: consumer} counts by.
 */
public final class ApiKeyMiddleware implements Middleware {
  public static final String NAME = "api_key";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(ApiKeyBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    ApiKeyConfig config =
        context.own(ApiKeyBlock.INSTANCE).orElse(context.global(ApiKeyBlock.INSTANCE));
    return new ApiKeyFilter(config.header(), new KeyTable(config.allKeys()));
  }
}
