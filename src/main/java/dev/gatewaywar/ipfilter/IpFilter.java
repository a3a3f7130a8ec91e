package dev.gatewaywar.ipfilter;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.config.Cidr;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.util.logging.Logger;

/**
 * Refuses clients by address: {@link ClientAddress}, which believes {@code X-Forwarded-For} only
 * from {@code server.trusted_proxies}, so a client cannot write its way into {@code allow}.
 */
final class IpFilter extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(IpFilter.class.getName());
  private static final GatewayException REFUSED =
      new GatewayException(GatewayError.ADDRESS_REFUSED);

  private final Cidr[] allow;
  private final Cidr[] deny;

  IpFilter(IpFilterConfig config) {
    this.allow = config.allow().toArray(Cidr[]::new);
    this.deny = config.deny().toArray(Cidr[]::new);
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ClientAddress client = ClientAddress.of(request);
    if (!admits(client.address().orElse(null))) {
      LOG.fine(() -> "ip_filter refused " + client.value());
      throw REFUSED;
    }
    chain.doFilter(request, response);
  }

  /** Deny wins; a non-empty allow admits only its blocks; an unreadable address passes no rule. */
  boolean admits(InetAddress address) {
    if (address == null) {
      return allow.length == 0 && deny.length == 0;
    }
    return !inAny(deny, address) && (allow.length == 0 || inAny(allow, address));
  }

  private static boolean inAny(Cidr[] blocks, InetAddress address) {
    for (Cidr b : blocks) {
      if (b.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
