package dev.gatewaywar.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback playing an OpenID provider: a discovery document at {@code
 * /realms/test/.well-known/openid-configuration}, a JWKS at {@code /realms/test/certs} and an RFC
 * 7662 introspection endpoint; each path counts its hits and can be made to fail.
 */
public final class OidcServer implements AutoCloseable {
  public static final String REALM_PATH = "/realms/test";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private volatile String jwks = "{\"keys\":[]}";
  private volatile int jwksStatus = 200;
  private volatile String issuerOverride;
  private volatile long jwksDelayMillis;
  private final Map<String, String> introspection = new ConcurrentHashMap<>();

  private OidcServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext(REALM_PATH + "/.well-known/openid-configuration", this::discovery);
    server.createContext(REALM_PATH + "/certs", this::certs);
    server.createContext(REALM_PATH + "/introspect", this::introspect);
    server.start();
  }

  public static OidcServer start() throws IOException {
    return new OidcServer();
  }

  public String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + REALM_PATH;
  }

  public String jwksUrl() {
    return issuer() + "/certs";
  }

  public String introspectionUrl() {
    return issuer() + "/introspect";
  }

  public OidcServer jwks(String json) {
    this.jwks = json;
    return this;
  }

  /** Answer the JWKS with this status (500: a broken provider). */
  public OidcServer jwksStatus(int status) {
    this.jwksStatus = status;
    return this;
  }

  /** Wait this long before answering the JWKS (longer than the fetch timeout: a hung provider). */
  public OidcServer jwksDelay(long millis) {
    this.jwksDelayMillis = millis;
    return this;
  }

  /** Make the discovery document name another issuer. */
  public OidcServer issuerInDocument(String issuer) {
    this.issuerOverride = issuer;
    return this;
  }

  /** The JSON the introspection endpoint answers for {@code token}; others get inactive. */
  public OidcServer introspects(String token, String json) {
    introspection.put(token, json);
    return this;
  }

  public int hits(String pathSuffix) {
    AtomicInteger n = hits.get(pathSuffix);
    return n == null ? 0 : n.get();
  }

  private void count(String suffix) {
    hits.computeIfAbsent(suffix, k -> new AtomicInteger()).incrementAndGet();
  }

  private void discovery(HttpExchange e) throws IOException {
    count("discovery");
    String iss = issuerOverride != null ? issuerOverride : issuer();
    respond(
        e,
        200,
        "{\"issuer\":\""
            + iss
            + "\",\"jwks_uri\":\""
            + jwksUrl()
            + "\",\"introspection_endpoint\":\""
            + introspectionUrl()
            + "\"}");
  }

  private void certs(HttpExchange e) throws IOException {
    count("certs");
    if (jwksDelayMillis > 0) {
      try {
        Thread.sleep(jwksDelayMillis);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    respond(e, jwksStatus, jwksStatus == 200 ? jwks : "{\"error\":\"down\"}");
  }

  private void introspect(HttpExchange e) throws IOException {
    count("introspect");
    String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String auth = e.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Basic ")) {
      respond(e, 401, "{\"error\":\"unauthorized\"}");
      return;
    }
    String token = "";
    for (String pair : body.split("&")) {
      if (pair.startsWith("token=")) {
        token = java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    respond(e, 200, introspection.getOrDefault(token, "{\"active\":false}"));
  }

  private static void respond(HttpExchange e, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("Content-Type", "application/json");
    e.sendResponseHeaders(status, b.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
