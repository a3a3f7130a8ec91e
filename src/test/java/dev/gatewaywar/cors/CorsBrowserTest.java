package dev.gatewaywar.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.HeadlessChromium;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS as a browser judges it: headless Chromium loads a page from one loopback origin, and the
 * page calls the gateway (another origin) with {@code fetch}, then writes what it got into its DOM.
 * The gateway allows the first page server's origin and not the second's.
 */
class CorsBrowserTest {
  private static final Pattern OUTCOME = Pattern.compile("<pre id=\"out\">([^<]*)</pre>");

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;
  private HttpServer allowedSite;
  private HttpServer otherSite;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    allowedSite = pageServer();
    otherSite = pageServer();
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        cors:
          allow_origins: ["ALLOWED"]
          allow_methods: [GET, POST]
          allow_headers: [Content-Type]
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [cors]
          - path: /session/*
            target: UPSTREAM
            middleware: [cors]
            cors:
              allow_credentials: true
        """
            .replace("ALLOWED", origin(allowedSite))
            .replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
    allowedSite.stop(0);
    otherSite.stop(0);
  }

  @Test
  void allowedOriginReadsTheAnswerAfterAPreflightTheGatewayAnswers() throws Exception {
    assertEquals("ok 200 ok", call(allowedSite, "/api/x", "POST", "omit"));
    TestUpstream.Received post = upstream.nextRequest();
    assertEquals("POST", post.method(), "the preflight was answered by the gateway");
    assertEquals(origin(allowedSite), post.header("Origin"));
  }

  @Test
  void otherOriginIsBlockedByTheBrowser() throws Exception {
    assertEquals("blocked TypeError", call(otherSite, "/api/x", "POST", "omit"));
    // its preflight was proxied (browsers enforce CORS, not the gateway), the POST never sent
    assertEquals("OPTIONS", upstream.nextRequest().method());
    assertTrue(upstream.noRequestWithin(300));
  }

  @Test
  void otherOriginCannotReadASimpleGetEither() throws Exception {
    assertEquals("blocked TypeError", call(otherSite, "/api/x", "GET", "omit"));
    assertEquals("GET", upstream.nextRequest().method(), "sent, but its answer is not readable");
  }

  @Test
  void credentialedRequestWorksOnlyWhereCredentialsAreAllowed() throws Exception {
    assertEquals("blocked TypeError", call(allowedSite, "/api/x", "GET", "include"));
    assertEquals("ok 200 ok", call(allowedSite, "/session/x", "GET", "include"));
    assertEquals("ok 200 ok", call(allowedSite, "/session/x", "POST", "include"));
  }

  /** Loads {@code site}'s page, which calls the gateway, and returns what the page found. */
  private String call(HttpServer site, String path, String method, String credentials)
      throws Exception {
    String url =
        origin(site)
            + "/page?target="
            + "http://127.0.0.1:"
            + gateway.port()
            + path
            + "&method="
            + method
            + "&credentials="
            + credentials;
    String dom = HeadlessChromium.dumpDom(url, dir, Duration.ofSeconds(10));
    Matcher m = OUTCOME.matcher(dom);
    assertTrue(m.find(), () -> "no outcome in the page: " + dom);
    return m.group(1).trim();
  }

  private static String origin(HttpServer site) {
    return "http://127.0.0.1:" + site.getAddress().getPort();
  }

  /**
   * Serves the page: a POST sends JSON (not a "simple" request, so the browser sends a preflight
   * first); the page reports "ok STATUS BODY" or "blocked ERROR".
   */
  private static HttpServer pageServer() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/page",
        exchange -> {
          byte[] page = PAGE.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
          }
        });
    server.createContext(
        "/favicon.ico",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static final String PAGE =
      """
      <!doctype html>
      <html><body><pre id="out">pending</pre><script>
      const q = new URLSearchParams(location.search);
      const method = q.get('method');
      const init = {method, credentials: q.get('credentials')};
      if (method === 'POST') {
        init.headers = {'Content-Type': 'application/json'};
        init.body = '{}';
      }
      fetch(q.get('target'), init)
        .then(r => r.text().then(t => 'ok ' + r.status + ' ' + t))
        .catch(e => 'blocked ' + e.name)
        .then(s => { document.getElementById('out').textContent = s; });
      </script></body></html>
      """;
}
