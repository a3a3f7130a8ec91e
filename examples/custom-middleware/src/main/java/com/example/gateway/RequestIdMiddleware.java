package com.example.gateway;

import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.routing.RouteMatch;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * An example custom middleware, named {@code request-id} in a route's {@code middleware:} list.
 *
 * <p>It gives every request a request id (keeping a well-formed one the client sent, unless told
 * not to), forwards it to the upstream and returns it to the client; and it passes the route's path
 * parameters to the upstream as {@code X-Route-Param-<name>} headers, read through the gateway's
 * {@link RouteMatch} accessor. A plain servlet {@link Filter}: the gateway builds one per route
 * that names it, when the configuration is loaded.
 *
 * <p>It owns a configuration block, read as strictly as the gateway's own: a top-level {@code
 * request-id:} and, on a route that lists the middleware, a route's own one overriding it:
 *
 * <pre>
 * request-id:
 *   header: X-Request-Id      # the header that carries the id
 *   trust_client: true        # keep a well-formed id the client sent
 * </pre>
 *
 * A misspelt key, or a header name that is not one, stops the deployment with its line.
 */
public final class RequestIdMiddleware implements Middleware {
  static final String DEFAULT_HEADER = "X-Request-Id";

  /** This middleware's settings: immutable, read once per configuration. */
  record Settings(String header, boolean trustClient) {
    static final Settings DEFAULT = new Settings(DEFAULT_HEADER, true);

    /** Reads a block; keys it does not set come from {@code inherited}. */
    static Settings read(ConfigSection section, Settings inherited) {
      String header = section.string("header", inherited.header()).trim();
      if (!HttpTokens.isToken(header)) {
        section.problem("header", "'" + header + "' is not a header name");
        header = inherited.header();
      }
      return new Settings(header, section.bool("trust_client", inherited.trustClient()));
    }
  }

  static final ConfigBlock<Settings, Settings> CONFIG =
      new ConfigBlock<>() {
        @Override
        public String key() {
          return "request-id";
        }

        @Override
        public Settings readGlobal(ConfigSection section) {
          return Settings.read(section, Settings.DEFAULT);
        }

        @Override
        public Settings readRoute(ConfigSection section, Settings global) {
          return Settings.read(section, global);
        }

        /** The gateway drops a client's copy of the header on every route. */
        @Override
        public Set<String> upstreamHeaders(Settings global, Optional<Settings> own) {
          return Set.of(own.orElse(global).header());
        }
      };

  @Override
  public String name() {
    return "request-id";
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(CONFIG);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    return new RequestIdFilter(context.own(CONFIG).orElse(context.global(CONFIG)));
  }

  static final class RequestIdFilter extends HttpFilter {
    private final Settings settings;

    RequestIdFilter(Settings settings) {
      this.settings = settings;
    }

    @Override
    protected void doFilter(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      String id = settings.trustClient() ? request.getHeader(settings.header()) : null;
      if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
        id = UUID.randomUUID().toString();
      }
      // set for the upstream through the gateway: a client's copy is dropped on every route
      GatewayHeaders.set(request, settings.header(), id);
      List<String[]> added = new ArrayList<>();
      RouteMatch.from(request)
          .ifPresent(
              match ->
                  match
                      .params()
                      .forEach((k, v) -> added.add(new String[] {"X-Route-Param-" + k, v})));
      response.setHeader(settings.header(), id);
      chain.doFilter(new WithHeaders(request, added), response);
    }
  }

  /** The request with headers set (replacing any the client sent under the same names). */
  static final class WithHeaders extends HttpServletRequestWrapper {
    private final List<String[]> headers;

    WithHeaders(HttpServletRequest request, List<String[]> headers) {
      super(request);
      this.headers = headers;
    }

    private String[] find(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h;
        }
      }
      return null;
    }

    @Override
    public String getHeader(String name) {
      String[] h = find(name);
      return h != null ? h[1] : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String[] h = find(name);
      return h != null ? Collections.enumeration(List.of(h[1])) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = new ArrayList<>();
      for (String n : Collections.list(super.getHeaderNames())) {
        if (find(n) == null) {
          names.add(n);
        }
      }
      headers.forEach(h -> names.add(h[0]));
      return Collections.enumeration(names);
    }
  }
}
