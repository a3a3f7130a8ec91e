package dev.gatewaywar.api;

import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import java.util.Optional;

/**
 * A named middleware a route can list in its {@code middleware:}. The service-provider interface
 * for custom middleware: put a class implementing it in a jar under {@code WEB-INF/lib}, name it in
 * {@code META-INF/services/dev.gatewaywar.api.Middleware}, and routes can use {@link #name()}.
 *
 * <p>{@link #create} is called once per route that lists the name, when the configuration is
 * loaded, never per request. The filter it returns is a plain {@link Filter}: the gateway calls
 * {@code init} before the first request and {@code destroy} when the configuration is retired. In
 * {@code doFilter} it may call {@code chain.doFilter} at most once (to go on) or not at all (to
 * answer the request itself).
 */
public interface Middleware {

  /** The name routes use; lower case, unique among built-in and custom middleware. */
  String name();

  /**
   * The configuration block this middleware owns, if any: its top-level (and, when it allows one,
   * per-route) block, read strictly when the file is loaded, with the middleware's own checks of
   * every route that lists it. {@link #create} then finds the settings through {@link
   * MiddlewareContext#global} and {@link MiddlewareContext#own}.
   */
  default Optional<ConfigBlock<?, ?>> config() {
    return Optional.empty();
  }

  /**
   * Builds this middleware's filter for one route.
   *
   * @throws Exception when the route or the configuration does not suit this middleware; the
   *     message is shown with the route's line and deployment stops
   */
  Filter create(MiddlewareContext context) throws Exception;
}
