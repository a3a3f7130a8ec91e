package dev.gatewaywar.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address block in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is a
 * block of one. Parsed from literals only: a host name is rejected rather than resolved, so the
 * configuration never depends on DNS.
 *
 * @param network the block's first address, host bits cleared
 * @param prefixLength how many leading bits an address must share with {@code network}
 */
public record Cidr(InetAddress network, int prefixLength) {
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f.:]+");

  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length must be 0.." + bits);
    }
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException when it is not an IPv4 or IPv6 literal with a valid prefix
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    if (!LITERAL.matcher(address).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    InetAddress network;
    try {
      network = InetAddress.getByName(address); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    int bits = network.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has a malformed prefix length");
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("'" + text + "' needs a prefix length of 0.." + bits);
    }
    return new Cidr(mask(network, prefix), prefix);
  }

  /** True when {@code address} lies in this block (IPv4 never matches an IPv6 block). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != n[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int m = 0xff << (8 - rest) & 0xff;
    return (a[full] & m) == (n[full] & m);
  }

  private static InetAddress mask(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen: the length came from an address
    }
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
