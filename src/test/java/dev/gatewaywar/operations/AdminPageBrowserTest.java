package dev.gatewaywar.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.HeadlessChromium;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page as an operator's browser shows it: headless Chromium loads it from a gateway on an
 * embedded Tomcat in front of real loopback upstreams (one of them stopped, found out by the health
 * checks), saves a screenshot ({@code target/admin-page.png}, the one in the docs) and dumps the
 * DOM, which must list every route and show the stopped target as down; after the config file
 * changes, a refresh shows the new route. Chromium missing fails the test.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AdminPageBrowserTest {
  private static final Pattern ROUTE =
      Pattern.compile("<tr class=\"route\" data-pattern=\"([^\"]*)\"");
  private static final Duration BUDGET = Duration.ofSeconds(3);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final List<TestUpstream> upstreams = new ArrayList<>();
  private EmbeddedGateway gateway;
  private Path file;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstreams.forEach(TestUpstream::close);
  }

  private TestUpstream upstream(String name) throws Exception {
    TestUpstream u = TestUpstream.start();
    u.handle("/", e -> TestUpstream.respond(e, 200, name));
    upstreams.add(u);
    return u;
  }

  private void start(String yaml) throws Exception {
    file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + gateway.port() + path;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls the JSON view until {@code condition} holds. */
  private void awaitStatus(Predicate<String> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = get("/_gateway/api").body();
      if (condition.test(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not within 20 s: " + what + "; last status: " + last);
  }

  private static List<String> routes(String dom) {
    List<String> patterns = new ArrayList<>();
    Matcher m = ROUTE.matcher(dom);
    while (m.find()) {
      patterns.add(m.group(1));
    }
    return patterns;
  }

  /** The {@code <li>} of {@code url}'s target in the dumped DOM. */
  private static String targetItem(String dom, String url) {
    int at = dom.indexOf("data-url=\"" + url + "\"");
    assertTrue(at > 0, "target " + url + " on the page: " + dom);
    int start = dom.lastIndexOf("<li ", at);
    return dom.substring(start, dom.indexOf("</li>", at));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anOperatorSeesEveryRouteAndTheDownTargetAndAReloadAfterARefresh() throws Exception {
    TestUpstream shopA = upstream("shop-a");
    TestUpstream users = upstream("users");
    // nothing listens there: every connection and health check is refused
    String shopB = "http://127.0.0.1:" + freePort();
    String config =
        """
        server:
          reload:
            interval: 200ms
            debounce: 20ms
        admin:
          enabled: true
        routes:
          - path: /shop/*
            targets:
              - url: %s
              - url: %s
            health_check:
              path: /
              interval: 1s
              timeout: 1s
              unhealthy_after: 2
              healthy_after: 1
            middleware: [metrics]
          - path: /users/:id
            methods: [GET, PUT]
            target: %s
            middleware: [request_id, metrics]
        """
            .formatted(shopA.url(), shopB, users.url());
    start(config);
    awaitStatus(s -> s.contains("\"state\":\"down\""), "the stopped target is down");
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get("/shop/cart").statusCode(), "the healthy target takes them all");
    }
    assertEquals(200, get("/users/42").statusCode());

    Path png = Path.of("target", "admin-page.png");
    HeadlessChromium.screenshot(url("/_gateway"), dir, png, 1200, 440);
    assertTrue(Files.size(png) > 5_000, "a real picture, not a blank one: " + Files.size(png));

    String dom = HeadlessChromium.dumpDom(url("/_gateway"), dir, BUDGET);
    assertEquals(List.of("/shop/*", "/users/:id"), routes(dom));
    String down = targetItem(dom, shopB);
    assertTrue(down.contains("class=\"target down\""), down);
    assertTrue(down.contains(">down<"), down);
    String up = targetItem(dom, shopA.url());
    assertTrue(up.contains("class=\"target up\""), up);
    assertTrue(dom.contains("id=\"route-count\">2<"), "two routes in the header");

    Files.writeString(
        file,
        config
            + """
              - path: /orders/*
                target: %s
            """
                .formatted(users.url()));
    awaitStatus(s -> s.contains("\"/orders/*\""), "the reload");

    String refreshed = HeadlessChromium.dumpDom(url("/_gateway"), dir, BUDGET);
    assertEquals(List.of("/shop/*", "/users/:id", "/orders/*"), routes(refreshed));
    assertTrue(refreshed.contains("id=\"last-reload\" class=\"ok\""), "last reload ok");
  }

  @Test
  void aBrowserOutsideTheAllowListIsRefused() throws Exception {
    TestUpstream users = upstream("users");
    start(
        """
        admin:
          enabled: true
          allow: [192.0.2.0/24]
        routes:
          - path: /users/:id
            target: %s
        """
            .formatted(users.url()));
    assertEquals(403, get("/_gateway").statusCode());
    String dom = HeadlessChromium.dumpDom(url("/_gateway"), dir, BUDGET);
    assertTrue(dom.contains("{\"error\":\"forbidden\"}"), dom);
    assertFalse(dom.contains("/users"), "nothing of the status: " + dom);
    assertTrue(routes(dom).isEmpty());
  }

  @Test
  void noSecretReachesTheBrowser() throws Exception {
    TestUpstream u = upstream("u");
    start("admin:\n  enabled: true\n" + SecretsConfig.blocksAndRoutes(dir, u.url()));
    String page = HeadlessChromium.dumpDom(url("/_gateway"), dir, BUDGET);
    String json = HeadlessChromium.dumpDom(url("/_gateway/api"), dir, BUDGET);
    assertEquals(List.of("/jwt/*", "/keys/*", "/basic/*"), routes(page));
    assertTrue(json.contains("basic_auth"), json);
    for (String secret : SecretsConfig.values(dir)) {
      assertFalse(page.contains(secret), "the page shows " + secret);
      assertFalse(json.contains(secret), "the JSON shows " + secret);
    }
  }
}
