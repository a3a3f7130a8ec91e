package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.config.RouteTls;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.net.Host;
import org.apache.hc.core5.net.NamedEndpoint;
import org.apache.hc.core5.reactor.ssl.TransportSecurityLayer;
import org.apache.hc.core5.util.Timeout;

/**
 * The TLS of a route's own connections ({@code tls:}): its trusted CAs (else the JVM's), its client
 * certificate, TLS 1.2 or 1.3 only, and {@code server_name} as both the SNI and the name the
 * upstream's certificate must carry. HttpClient takes both from the endpoint it hands the strategy,
 * so the configured name replaces the URL's host there and nowhere else: the connection still goes
 * to the URL's address.
 */
final class RouteTlsStrategy implements TlsStrategy {
  private final TlsStrategy delegate;
  private final RouteTls tls;

  private RouteTlsStrategy(TlsStrategy delegate, RouteTls tls) {
    this.delegate = delegate;
    this.tls = tls;
  }

  static TlsStrategy of(RouteTls tls) {
    TlsStrategy strategy =
        ClientTlsStrategyBuilder.create()
            .setSslContext(sslContext(tls))
            .setTlsVersions(TLS.V_1_3, TLS.V_1_2)
            // the JDK's endpoint identification and HttpClient's own verifier both check the name
            .setHostVerificationPolicy(HostnameVerificationPolicy.BOTH)
            .buildAsync();
    return new RouteTlsStrategy(strategy, tls);
  }

  private static SSLContext sslContext(RouteTls tls) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(tls), trustManagers(tls), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot build the route's TLS context: " + e.getMessage());
    }
  }

  /** The route's CAs alone, or null: the JVM's default trust. */
  private static TrustManager[] trustManagers(RouteTls tls)
      throws GeneralSecurityException, java.io.IOException {
    if (tls.trusted().isEmpty()) {
      return null;
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : tls.trusted()) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers();
  }

  /** The route's client certificate, or null: none is offered. */
  private static KeyManager[] keyManagers(RouteTls tls)
      throws GeneralSecurityException, java.io.IOException {
    if (tls.client().isEmpty()) {
      return null;
    }
    RouteTls.ClientIdentity client = tls.client().get();
    // an in-memory store only, never written: its password protects nothing
    char[] password = java.util.UUID.randomUUID().toString().toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "client", client.key(), password, client.chain().toArray(X509Certificate[]::new));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    return factory.getKeyManagers();
  }

  private NamedEndpoint named(NamedEndpoint endpoint) {
    return tls.serverName()
        .<NamedEndpoint>map(name -> new Host(name, endpoint.getPort()))
        .orElse(endpoint);
  }

  @Override
  public void upgrade(
      TransportSecurityLayer session,
      NamedEndpoint endpoint,
      Object attachment,
      Timeout handshakeTimeout,
      FutureCallback<TransportSecurityLayer> callback) {
    delegate.upgrade(session, named(endpoint), attachment, handshakeTimeout, callback);
  }

  /** The pre-5.2 entry point, which HttpClient's async connection operator no longer calls. */
  @Override
  @Deprecated
  public boolean upgrade(
      TransportSecurityLayer session,
      HttpHost host,
      SocketAddress localAddress,
      SocketAddress remoteAddress,
      Object attachment,
      Timeout handshakeTimeout) {
    upgrade(session, host, attachment, handshakeTimeout, null);
    return true;
  }
}
