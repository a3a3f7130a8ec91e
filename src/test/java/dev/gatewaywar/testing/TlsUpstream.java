package dev.gatewaywar.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A real HTTPS server on loopback (the JDK's) for upstream TLS tests. It answers every request with
 * 200 and {@code path=<raw path>;sni=<SNI host name or none>;client=<client certificate subject or
 * none>}, so a test sees what the gateway sent and presented.
 */
public final class TlsUpstream implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  private TlsUpstream(SSLContext context, boolean needClientAuth) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            // through SSLParameters: the JDK server ignores HttpsParameters.setNeedClientAuth
            SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
            ssl.setNeedClientAuth(needClientAuth);
            params.setSSLParameters(ssl);
          }
        });
    server.setExecutor(executor);
    server.createContext("/", TlsUpstream::answer);
    server.start();
  }

  /**
   * @param context the server's identity (and, with {@code needClientAuth}, the CAs its clients'
   *     certificates must come from): {@link TestPki#serverContext}
   */
  public static TlsUpstream start(SSLContext context, boolean needClientAuth) throws IOException {
    return new TlsUpstream(context, needClientAuth);
  }

  /** Answers requests under {@code path} with {@code handler} instead (a held answer, say). */
  public TlsUpstream handle(String path, TestUpstream.Handler handler) {
    server.createContext(
        path,
        exchange -> {
          try (exchange) {
            handler.handle(exchange);
          }
        });
    return this;
  }

  /** {@code https://127.0.0.1:<port>}. */
  public String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      SSLSession session = ((HttpsExchange) exchange).getSSLSession();
      byte[] body =
          ("path="
                  + exchange.getRequestURI().getRawPath()
                  + ";sni="
                  + sni(session)
                  + ";client="
                  + clientOf(session))
              .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String sni(SSLSession session) {
    if (session instanceof ExtendedSSLSession e) {
      for (SNIServerName n : e.getRequestedServerNames()) {
        if (n instanceof SNIHostName h) {
          return h.getAsciiName();
        }
      }
    }
    return "none";
  }

  private static String clientOf(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "none";
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
