package dev.gatewaywar.ratelimit;

import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.config.RateLimitConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a request's bucket is named by: its client address, a header, or a token claim. Keys carry a
 * prefix per kind, so a header value can never name another client's address bucket.
 */
@FunctionalInterface
public interface ClientKeyResolver {

  /** The bucket key of {@code request}; bounded in length whatever the client sends. */
  String keyOf(HttpServletRequest request);

  /** Longer header values are hashed, so a client cannot make a bucket key of any size. */
  int MAX_VALUE_LENGTH = 128;

  /**
   * The resolver for {@code key}.
   *
   * @throws IllegalArgumentException for {@code claim:NAME}: the claims of a verified token are not
   *     available in this build yet (the auth middleware that provides them is not merged); failing
   *     at start-up beats keying every request on nothing
   */
  static ClientKeyResolver of(RateLimitConfig.Key key) {
    return switch (key.kind()) {
      case ADDRESS -> ClientKeyResolver::address;
      case HEADER -> request -> header(request, key.name());
      case CLAIM ->
          throw new IllegalArgumentException(
              "rate_limit.key '"
                  + key
                  + "' needs the verified token claims of the auth middleware, which this build"
                  + " does not provide yet; use address or header:NAME");
    };
  }

  /** The client address the front controller resolved (trusted proxies considered). */
  static String address(HttpServletRequest request) {
    return "a:" + ClientAddress.of(request).value();
  }

  /** The header's value; a request without it is keyed by its address. */
  static String header(HttpServletRequest request, String name) {
    String value = request.getHeader(name);
    if (value == null || value.isBlank()) {
      return address(request);
    }
    if (value.length() <= MAX_VALUE_LENGTH) {
      return "h:" + value;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "h#" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
