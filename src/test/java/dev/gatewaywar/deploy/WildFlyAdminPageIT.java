package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin page on a stock WildFly (Undertow, which reports the peer its own way): served under
 * the context path to a loopback client, its JSON, 405 for a POST, and a 403 once the file's new
 * allow list leaves loopback out, while the catch-all route still serves.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlyAdminPageIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));

  private TestUpstream upstream;
  private WildFlyServer wildfly;

  @AfterEach
  void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private RawHttp.Response send(InetAddress to, String method, String path) throws Exception {
    return RawHttp.send(
        to,
        wildfly.httpPort(),
        method + " " + path + " HTTP/1.1\nHost: gw\nContent-Length: 0\nConnection: close\n\n");
  }

  @Test
  void servedToLoopbackAndRefusedOnceTheAllowListChanges() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/", e -> TestUpstream.respond(e, 200, "up"));
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-admin"));
    String yaml =
        """
        server:
          reload:
            interval: 200ms
            debounce: 20ms
        admin:
          enabled: true
        routes:
          - path: /*
            target: UPSTREAM
            middleware: [metrics]
        """
            .replace("UPSTREAM", upstream.url());
    Path config = Files.writeString(wildfly.base().resolve("gateway.yaml"), yaml);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=gateway.war").assertSucceeded();

    InetAddress v4 = InetAddress.getByName("127.0.0.1");
    RawHttp.Response page = send(v4, "GET", "/gateway/_gateway");
    assertEquals(200, page.status(), page.body());
    assertTrue(page.body().contains("data-pattern=\"/*\""), page.body());
    assertTrue(page.body().contains("href=\"/gateway/_gateway/api\""), page.body());
    RawHttp.Response json = send(v4, "GET", "/gateway/_gateway/api");
    assertEquals(200, json.status());
    assertTrue(json.body().contains("\"pattern\":\"/*\""), json.body());
    assertEquals(405, send(v4, "POST", "/gateway/_gateway").status());

    Files.writeString(
        config,
        yaml.replace("enabled: true", "enabled: true\n  allow: [192.0.2.0/24]"),
        StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    RawHttp.Response refused;
    while ((refused = send(v4, "GET", "/gateway/_gateway")).status() != 403) {
      assertTrue(System.nanoTime() < deadline, "the new allow list not applied: " + refused);
      Thread.sleep(100);
    }
    assertFalse(refused.body().contains("/*"), refused.body());
    assertEquals("up", send(v4, "GET", "/gateway/elsewhere").body(), "routes still served");
  }
}
