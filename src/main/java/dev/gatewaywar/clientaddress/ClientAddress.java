package dev.gatewaywar.clientaddress;

import dev.gatewaywar.clientaddress.internal.IpLiteral;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * The address of the client a request comes from, resolved once per request by the front controller
 * before any route filter runs: the socket peer, unless the peer is a trusted proxy, in which case
 * {@code X-Forwarded-For} is read right to left past every trusted hop (the left part of that
 * header is whatever the client wrote, so only the part trusted proxies appended counts). Rate
 * limiting keys on it; logging and auth may read it.
 *
 * @param value the address as text ({@code 203.0.113.9}, {@code 2001:db8:0:0:0:0:0:1})
 */
public record ClientAddress(String value) {
  private static final String ATTRIBUTE = ClientAddress.class.getName();

  /** Resolves the client address of {@code request}. */
  public static ClientAddress resolve(HttpServletRequest request, TrustedProxies trusted) {
    String peer = request.getRemoteAddr();
    if (!trusted.any()) {
      return new ClientAddress(peer);
    }
    return resolve(peer, forwardedFor(request.getHeaders("X-Forwarded-For")), trusted);
  }

  /**
   * The client behind {@code peer}, given the {@code X-Forwarded-For} entries in order (all header
   * lines, split at commas).
   */
  public static ClientAddress resolve(
      String peer, List<String> forwardedFor, TrustedProxies trusted) {
    Optional<InetAddress> parsed = IpLiteral.parse(peer);
    if (parsed.isEmpty() || !trusted.contains(parsed.get())) {
      return new ClientAddress(peer);
    }
    InetAddress current = parsed.get();
    for (int i = forwardedFor.size() - 1; i >= 0; i--) {
      Optional<InetAddress> hop = IpLiteral.parse(forwardedFor.get(i));
      if (hop.isEmpty()) {
        // A trusted proxy passed on something that is not an address: the chain cannot be
        // followed further, and the last trusted hop is the best client identity left.
        break;
      }
      current = hop.get();
      if (!trusted.contains(current)) {
        break;
      }
    }
    return new ClientAddress(current.getHostAddress());
  }

  private static List<String> forwardedFor(Enumeration<String> lines) {
    List<String> entries = new ArrayList<>();
    while (lines != null && lines.hasMoreElements()) {
      for (String part : lines.nextElement().split(",")) {
        if (!part.isBlank()) {
          entries.add(part.trim());
        }
      }
    }
    return entries;
  }

  /**
   * The address itself, parsed without DNS; empty only for a peer the container reported as
   * something other than an IP literal.
   */
  public Optional<InetAddress> address() {
    return IpLiteral.parse(value);
  }

  /** The address the front controller resolved for {@code request}, if it went through it. */
  public static Optional<ClientAddress> from(ServletRequest request) {
    return Optional.ofNullable((ClientAddress) request.getAttribute(ATTRIBUTE));
  }

  /**
   * The resolved address, or the socket peer for a request that did not pass the front controller
   * (a filter reused outside the gateway): never anything a client header says.
   */
  public static ClientAddress of(ServletRequest request) {
    ClientAddress a = (ClientAddress) request.getAttribute(ATTRIBUTE);
    return a != null ? a : new ClientAddress(request.getRemoteAddr());
  }

  /** Attaches this address to {@code request}; called by the front controller only. */
  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }
}
