package dev.gatewaywar.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A route's {@code tls:} block, with its files already read: how the gateway connects to the
 * route's https targets.
 *
 * @param trusted the CAs of {@code ca_file}, trusted instead of the JVM's default trust store;
 *     empty means the JVM's default
 * @param client the client certificate and key of {@code cert_file} and {@code key_file}, for
 *     upstreams that require mutual TLS
 * @param serverName {@code server_name}: the name sent as SNI and verified in the upstream's
 *     certificate; empty means the target URL's host
 */
public record RouteTls(
    List<X509Certificate> trusted, Optional<ClientIdentity> client, Optional<String> serverName) {

  public RouteTls {
    trusted = List.copyOf(trusted);
  }

  /**
   * A client certificate chain (leaf first) and its private key.
   *
   * <p>{@link #toString()} names the certificate only: some key classes print their private parts.
   */
  public record ClientIdentity(PrivateKey key, List<X509Certificate> chain) {
    public ClientIdentity {
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("a client certificate chain needs a certificate");
      }
      chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "ClientIdentity[" + chain.get(0).getSubjectX500Principal().getName() + "]";
    }
  }
}
