package dev.gatewaywar.cors;

import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.HttpTokens;
import dev.gatewaywar.config.InheritingBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code cors:} blocks. A route's own block has the same keys as the top-level one and inherits
 * the keys it does not set.
 */
public final class CorsBlock extends InheritingBlock<CorsConfig> {
  public static final CorsBlock INSTANCE = new CorsBlock();

  /** Middleware that refuse requests without credentials (a preflight never has any). */
  private static final List<String> CREDENTIAL_CHECKS = List.of("auth", "basic_auth", "api_key");

  private CorsBlock() {
    super("cors", CorsConfig.DEFAULT);
  }

  @Override
  public void checkRoute(
      List<String> middleware,
      CorsConfig global,
      Optional<CorsConfig> own,
      Consumer<String> refuse) {
    if (own.orElse(global).allowOrigins().isEmpty()) {
      refuse.accept("cors.allow_origins is empty: no origin would be allowed");
    }
    int cors = middleware.indexOf(CorsMiddleware.NAME);
    for (String credentials : CREDENTIAL_CHECKS) {
      int at = middleware.indexOf(credentials);
      if (at >= 0 && at < cors) {
        refuse.accept(
            "list cors before "
                + credentials
                + ": browsers send preflights without credentials, which "
                + credentials
                + " would refuse");
      }
    }
  }

  @Override
  protected CorsConfig read(ConfigSection m, CorsConfig inherited) {
    AllowedOrigins origins = inherited.allowOrigins();
    ConfigSection.Item star = null;
    if (m.has("allow_origins")) {
      List<String> written = new ArrayList<>();
      for (ConfigSection.Item item : m.scalarList("allow_origins")) {
        try {
          AllowedOrigins.of(List.of(item.value()));
          written.add(item.value());
          if (item.value().trim().equals("*")) {
            star = item;
          }
        } catch (IllegalArgumentException e) {
          m.problem(item, e.getMessage());
        }
      }
      origins = AllowedOrigins.of(written);
    }
    List<String> methods = tokens(m, "allow_methods", inherited.allowMethods());
    List<String> headers = tokens(m, "allow_headers", inherited.allowHeaders());
    List<String> expose = tokens(m, "expose_headers", inherited.exposeHeaders());
    boolean credentials = m.bool("allow_credentials", inherited.allowCredentials());
    Duration maxAge = m.duration("max_age", inherited.maxAge());
    if (credentials && origins.any()) {
      String message = "'*' cannot go with allow_credentials: true; list the origins";
      if (star != null) {
        m.problem(star, message);
      } else {
        m.problem("allow_credentials", "allow_origins " + message);
      }
      credentials = false;
    }
    return new CorsConfig(origins, methods, headers, expose, credentials, maxAge);
  }

  private static List<String> tokens(ConfigSection m, String key, List<String> inherited) {
    if (!m.has(key)) {
      return inherited;
    }
    List<String> values = new ArrayList<>();
    for (ConfigSection.Item item : m.scalarList(key)) {
      String v = item.value().trim();
      if (HttpTokens.isToken(v)) {
        values.add(v);
      } else {
        m.problem(item, "'" + item.value() + "' is not an HTTP token");
      }
    }
    return values;
  }
}
