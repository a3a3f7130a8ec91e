package dev.gatewaywar.clientaddress.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses IP address literals without ever asking DNS. {@code InetAddress.getByName} looks up any
 * string it does not recognise as a literal, so a client could make the gateway resolve names it
 * chooses by putting them in {@code X-Forwarded-For}: IPv4 is parsed here, IPv6 only in brackets,
 * where the JDK refuses instead of looking up.
 */
public final class IpLiteral {
  private IpLiteral() {}

  /** The address {@code text} spells, or empty when it is not an IPv4 or IPv6 literal. */
  public static Optional<InetAddress> parse(String text) {
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.isEmpty() || s.length() > 45) {
      return Optional.empty();
    }
    return s.indexOf(':') >= 0 ? ipv6(s) : ipv4(s);
  }

  private static Optional<InetAddress> ipv4(String s) {
    byte[] bytes = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        // no leading zeros: "010" is octal to some parsers and decimal to others
        if (value == 0) {
          return Optional.empty();
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return Optional.empty();
        }
      } else if (c == '.' && value >= 0 && part < 4) {
        bytes[part++] = (byte) value;
        value = -1;
      } else {
        return Optional.empty();
      }
    }
    if (part != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static Optional<InetAddress> ipv6(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
      if (!ok) {
        return Optional.empty(); // zone ids (%eth0) and anything else
      }
    }
    try {
      // bracketed, the JDK parses an IPv6 literal or throws; it never looks the text up
      return Optional.of(InetAddress.getByName("[" + s + "]"));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
