package dev.gatewaywar.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page on an embedded Tomcat in front of a real loopback upstream: who gets it, which
 * methods, its JSON, its escaping, and that no route (a catch-all among them) hides it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminPageTest {
  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void upstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/", e -> TestUpstream.respond(e, 200, "from upstream"));
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private void start(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml.replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  private RawHttp.Response request(String method, String path, String... headers) throws Exception {
    StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      r.append(h).append("\n");
    }
    return RawHttp.send(gateway.port(), r.append("Connection: close\n\n").toString());
  }

  private static final String CATCH_ALL =
      """
      admin:
        enabled: true
      routes:
        - path: /*
          target: UPSTREAM
          middleware: [metrics]
        - path: /users/:id
          methods: [GET, DELETE]
          target: UPSTREAM
      """;

  @Test
  void offByDefaultThePathGoesToTheRoutes() throws Exception {
    start(CATCH_ALL.replace("enabled: true", "enabled: false"));
    RawHttp.Response r = request("GET", "/_gateway");
    assertEquals(200, r.status());
    assertEquals("from upstream", r.body());
  }

  @Test
  void aCatchAllRouteDoesNotHideThePage() throws Exception {
    start(CATCH_ALL);
    RawHttp.Response r = request("GET", "/_gateway");
    assertEquals(200, r.status());
    assertTrue(r.header("Content-Type").startsWith("text/html"), r.header("Content-Type"));
    assertEquals("no-store", r.header("Cache-Control"));
    assertTrue(r.header("Content-Security-Policy").contains("default-src 'none'"));
    assertFalse(r.body().contains("<script"), "no script on the page");
    assertTrue(r.body().contains("data-pattern=\"/*\""), r.body());
    assertTrue(r.body().contains("data-pattern=\"/users/:id\""), r.body());
    assertTrue(r.body().contains(">DELETE,GET<"), "methods shown: " + r.body());
    // below the page's path is still the route's
    assertEquals("from upstream", request("GET", "/_gateway/other").body());
    assertEquals("from upstream", request("GET", "/_gatewayx").body());
  }

  @Test
  void theJsonViewHasTheStatus() throws Exception {
    start(CATCH_ALL);
    request("GET", "/a");
    RawHttp.Response r = request("GET", "/_gateway/api");
    assertEquals(200, r.status());
    assertEquals("application/json", r.header("Content-Type").split(";")[0]);
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) JsonObjects.parseTree(r.body());
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) json.get("config");
    assertEquals(dir.resolve("gateway.yaml").toAbsolutePath().toString(), config.get("file"));
    assertEquals(64, ((String) config.get("digest")).length());
    assertEquals(2, ((Number) config.get("route_count")).intValue());
    assertTrue(config.containsKey("loaded_at"));
    assertNull(config.get("last_reload"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> routes = (List<Map<String, Object>>) json.get("routes");
    assertEquals(2, routes.size());
    Map<String, Object> all = routes.get(0);
    assertEquals("/*", all.get("pattern"));
    assertEquals(List.of("*"), all.get("methods"));
    assertEquals(List.of("metrics"), all.get("middleware"));
    assertTrue(((Number) all.get("requests")).longValue() >= 1, "counted: " + all);
    assertEquals(0L, ((Number) all.get("server_errors")).longValue());
    @SuppressWarnings("unchecked")
    Map<String, Object> target = ((List<Map<String, Object>>) all.get("targets")).get(0);
    assertEquals(upstream.url(), target.get("url"));
    assertEquals("up", target.get("state"));
    assertEquals("closed", target.get("circuit"));
    Map<String, Object> users = routes.get(1);
    assertEquals(List.of("DELETE", "GET"), users.get("methods"));
    assertTrue(users.containsKey("requests"));
    assertNull(users.get("requests"), "no metrics middleware on the route: no counts");
  }

  @Test
  void outsideTheAllowListIs403() throws Exception {
    start(CATCH_ALL.replace("enabled: true", "enabled: true\n  allow: [10.0.0.0/8]"));
    for (String path : List.of("/_gateway", "/_gateway/api")) {
      RawHttp.Response r = request("GET", path);
      assertEquals(403, r.status(), path);
      assertEquals("forbidden", JsonObjects.parse(r.body()).get("error"), r.body());
      assertFalse(r.body().contains("/users"), "nothing of the status: " + r.body());
    }
    // a client cannot claim an allowed address: no proxy is trusted
    assertEquals(403, request("GET", "/_gateway", "X-Forwarded-For: 10.1.2.3").status());
  }

  @Test
  void behindATrustedProxyTheForwardedClientIsChecked() throws Exception {
    start(
        CATCH_ALL.replace("enabled: true", "enabled: true\n  allow: [203.0.113.0/24]")
            + """
            server:
              trusted_proxies: [127.0.0.1/32]
            """);
    assertEquals(403, request("GET", "/_gateway").status(), "the proxy itself is not allowed");
    assertEquals(200, request("GET", "/_gateway", "X-Forwarded-For: 203.0.113.7").status());
    assertEquals(403, request("GET", "/_gateway", "X-Forwarded-For: 198.51.100.1").status());
  }

  @Test
  void otherMethodsThanGetAndHeadAre405() throws Exception {
    start(CATCH_ALL);
    for (String method : List.of("POST", "DELETE", "PUT")) {
      RawHttp.Response r = request(method, "/_gateway/api", "Content-Length: 0");
      assertEquals(405, r.status(), method);
      assertEquals("GET, HEAD", r.header("Allow"));
      assertEquals("method not allowed", JsonObjects.parse(r.body()).get("error"));
    }
    RawHttp.Response head = request("HEAD", "/_gateway");
    assertEquals(200, head.status());
    assertEquals("", head.body());
  }

  @Test
  void everyValueIsEscaped() throws Exception {
    start(
        """
        admin:
          enabled: true
        routes:
          - path: /a<b>&"c'/*
            target: UPSTREAM
        """);
    String html = request("GET", "/_gateway").body();
    assertFalse(html.contains("<b>"), html);
    assertTrue(html.contains("/a&lt;b&gt;&amp;&quot;c&#39;/*"), html);
    String json = request("GET", "/_gateway/api").body();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> routes =
        (List<Map<String, Object>>)
            ((Map<String, Object>) JsonObjects.parseTree(json)).get("routes");
    assertEquals("/a<b>&\"c'/*", routes.get(0).get("pattern"));
  }

  @Test
  void noSecretIsShown() throws Exception {
    start("admin:\n  enabled: true\n" + SecretsConfig.blocksAndRoutes(dir, "UPSTREAM"));
    String html = request("GET", "/_gateway").body();
    String json = request("GET", "/_gateway/api").body();
    assertTrue(html.contains("data-pattern=\"/basic/*\""), html);
    assertTrue(json.contains("\"basic_auth\""), json);
    for (String secret : SecretsConfig.values(dir)) {
      assertFalse(html.contains(secret), "the page shows " + secret);
      assertFalse(json.contains(secret), "the JSON shows " + secret);
    }
  }

  @Test
  void aRefusedReloadIsShownWithItsLine() throws Exception {
    start(CATCH_ALL);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, Files.readString(file) + "bogus_key: 1\n");
    GatewayStatus status = GatewayStatus.from(gateway.servletContext()).orElseThrow();
    assertFalse(status.reload().ok());
    String html = request("GET", "/_gateway").body();
    assertTrue(html.contains("class=\"failed\""), html);
    assertTrue(html.contains("bogus_key"), html);
    assertTrue(html.contains("line 10: bogus_key"), html);
  }
}
