package dev.gatewaywar.clientaddress;

import dev.gatewaywar.config.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} the gateway believes ({@code server.trusted_proxies}).
 * Any other peer could write whatever it likes in that header, so only these may name the client.
 */
public interface TrustedProxies {

  /** True when {@code address} is one of the trusted proxies. */
  boolean contains(InetAddress address);

  /** False when no proxy is trusted: the socket peer is always the client. */
  boolean any();

  /** Nothing trusted. */
  static TrustedProxies none() {
    return of(List.of());
  }

  /** The proxies in {@code blocks} ({@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}). */
  static TrustedProxies of(List<Cidr> cidrs) {
    List<Cidr> blocks = List.copyOf(cidrs);
    return new TrustedProxies() {
      @Override
      public boolean contains(InetAddress address) {
        for (Cidr b : blocks) {
          if (b.contains(address)) {
            return true;
          }
        }
        return false;
      }

      @Override
      public boolean any() {
        return !blocks.isEmpty();
      }

      @Override
      public String toString() {
        return "TrustedProxies" + blocks;
      }
    };
  }
}
