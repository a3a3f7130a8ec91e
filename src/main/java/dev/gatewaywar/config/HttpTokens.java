package dev.gatewaywar.config;

import java.util.regex.Pattern;

/** The HTTP token syntax (RFC 9110 section 5.6.2) that method and header names follow. */
public final class HttpTokens {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private HttpTokens() {}

  /** True when {@code text} is a token: usable as a method or a header name. */
  public static boolean isToken(String text) {
    return TOKEN.matcher(text).matches();
  }
}
