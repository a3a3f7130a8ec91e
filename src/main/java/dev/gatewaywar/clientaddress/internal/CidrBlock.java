package dev.gatewaywar.clientaddress.internal;

import java.net.InetAddress;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a /32 or /128.
 */
public record CidrBlock(byte[] network, int prefixLength, String text) {

  /**
   * @throws IllegalArgumentException with a message fit for a config problem
   */
  public static CidrBlock parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    InetAddress a =
        IpLiteral.parse(address)
            .orElseThrow(
                () -> new IllegalArgumentException("'" + text + "' is not an IP address or CIDR"));
    byte[] bytes = a.getAddress();
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + max);
      }
    }
    return new CidrBlock(mask(bytes, prefix), prefix, s);
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    byte[] masked = mask(bytes, prefixLength);
    return java.util.Arrays.equals(masked, network);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - bitsHere));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
