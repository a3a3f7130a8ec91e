package dev.gatewaywar.ratelimit;

import dev.gatewaywar.api.ApiConsumer;
import dev.gatewaywar.clientaddress.ClientAddress;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a request's bucket is named by: its client address, a header, a token claim, or the API
 * key's consumer. Keys carry a prefix per kind, so a header value can never name another client's
 * address bucket.
 */
@FunctionalInterface
public interface ClientKeyResolver {

  /** The bucket key of {@code request}; bounded in length whatever the client sends. */
  String keyOf(HttpServletRequest request);

  /** Longer values are hashed, so a client cannot make a bucket key of any size. */
  int MAX_VALUE_LENGTH = 128;

  /** The resolver for {@code key}, reading {@code claim:NAME} keys from {@code claims}. */
  static ClientKeyResolver of(RateLimitConfig.Key key, VerifiedClaims claims) {
    return switch (key.kind()) {
      case ADDRESS -> ClientKeyResolver::address;
      case HEADER -> request -> bounded("h", request.getHeader(key.name()), request);
      case CLAIM ->
          request -> bounded("c", claims.claim(request, key.name()).orElse(null), request);
      case CONSUMER -> request -> bounded("k", ApiConsumer.from(request).orElse(null), request);
    };
  }

  /** The client address the front controller resolved (trusted proxies considered). */
  static String address(HttpServletRequest request) {
    return "a:" + ClientAddress.of(request).value();
  }

  /**
   * {@code value} under its kind's prefix, hashed when long; a request without a value is keyed by
   * its address.
   */
  private static String bounded(String kind, String value, HttpServletRequest request) {
    if (value == null || value.isBlank()) {
      return address(request);
    }
    if (value.length() <= MAX_VALUE_LENGTH) {
      return kind + ":" + value;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return kind + "#" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
