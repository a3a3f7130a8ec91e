package dev.gatewaywar.cors;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code cors:} settings: which origins a browser may call the route from, and what the
 * preflight answer allows them.
 *
 * @param allowOrigins exact origins ({@code https://app.example.com}), patterns with one leading
 *     wildcard label ({@code https://*.example.com}) or {@code *}, compiled once
 * @param allowMethods what {@code Access-Control-Allow-Methods} lists
 * @param allowHeaders what {@code Access-Control-Allow-Headers} lists
 * @param exposeHeaders what {@code Access-Control-Expose-Headers} lists (none: the header is left
 *     out)
 * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent
 * @param maxAge how long a browser may cache a preflight answer
 */
public record CorsConfig(
    AllowedOrigins allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    Duration maxAge) {
  public static final List<String> DEFAULT_ALLOW_METHODS = List.of("GET", "POST");
  public static final List<String> DEFAULT_ALLOW_HEADERS = List.of("Authorization", "Content-Type");
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  /** No origin allowed: a route listing {@code cors} must name some. */
  public static final CorsConfig DEFAULT =
      new CorsConfig(
          AllowedOrigins.NONE,
          DEFAULT_ALLOW_METHODS,
          DEFAULT_ALLOW_HEADERS,
          List.of(),
          false,
          DEFAULT_MAX_AGE);

  public CorsConfig {
    Objects.requireNonNull(allowOrigins, "allowOrigins");
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
    Objects.requireNonNull(maxAge, "maxAge");
    if (allowCredentials && allowOrigins.any()) {
      // Fetch standard, CORS check: a credentialed request never accepts "*", and echoing any
      // origin with credentials would hand every site the user's session
      throw new IllegalArgumentException(
          "allow_origins '*' cannot go with allow_credentials: true");
    }
  }
}
