package dev.gatewaywar.ipfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ip_filter middleware in the gateway on an embedded Tomcat, in front of a real upstream. */
class IpFilterGatewayTest {
  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
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

  private RawHttp.Response get(InetAddress peer, String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(peer, gateway.port(), request.append("Connection: close\n\n").toString());
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    return get(InetAddress.getLoopbackAddress(), path, headers);
  }

  private void assertRefused(RawHttp.Response r) {
    assertEquals(403, r.status());
    assertEquals("{\"error\":\"forbidden\"}", r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
  }

  @Test
  void denyWinsOverAllowAndRefusedRequestsNeverReachTheUpstream() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ip_filter]
        ip_filter:
          allow: [127.0.0.0/8]
          deny: [127.0.0.1]
        """);
    assertRefused(get("/api/x"));
    assertTrue(upstream.noRequestWithin(200), "a refused request is not proxied");
  }

  @Test
  void nonEmptyAllowRefusesEverythingOutsideIt() throws Exception {
    start(
        """
        routes:
          - path: /inside/*
            target: UPSTREAM
            middleware: [ip_filter]
            ip_filter:
              allow: [10.0.0.0/8, 127.0.0.1/32]
          - path: /outside/*
            target: UPSTREAM
            middleware: [ip_filter]
            ip_filter:
              allow: [10.0.0.0/8]
          - path: /open/*
            target: UPSTREAM
            middleware: [ip_filter]
        """);
    assertEquals(200, get("/inside/x").status());
    assertRefused(get("/outside/x"));
    assertEquals(200, get("/open/x").status(), "no rules: every client passes");
  }

  @Test
  void routesOwnAllowStillInheritsTheTopLevelDeny() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ip_filter]
            ip_filter:
              allow: [127.0.0.0/8]
        ip_filter:
          deny: [127.0.0.1/32]
        """);
    assertRefused(get("/api/x"));
  }

  @Test
  void forwardedForCountsOnlyFromTrustedProxies() throws Exception {
    String routes =
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ip_filter]
        ip_filter:
          allow: [203.0.113.0/24]
          deny: [203.0.113.66]
        """;
    start(routes);
    assertRefused(get("/api/x", "X-Forwarded-For: 203.0.113.5"));
    gateway.close();

    start(routes + "server:\n  trusted_proxies: [127.0.0.1/32]\n");
    assertEquals(200, get("/api/x", "X-Forwarded-For: 203.0.113.5").status());
    assertRefused(get("/api/x", "X-Forwarded-For: 203.0.113.66"));
    assertRefused(get("/api/x", "X-Forwarded-For: 198.51.100.7"));
    // the left entry is the client's own claim: only what the trusted proxy appended counts
    assertRefused(get("/api/x", "X-Forwarded-For: 203.0.113.5, 198.51.100.7"));
    assertRefused(get("/api/x"), "the proxy itself is outside allow");
  }

  private void assertRefused(RawHttp.Response r, String why) {
    assertEquals(403, r.status(), why);
  }

  @Test
  void ipv6ClientsAreMatchedAgainstIpv6Blocks() throws Exception {
    start(
        """
        server:
          trusted_proxies: [127.0.0.1/32]
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [ip_filter]
        ip_filter:
          allow: ["2001:db8::/32", "::1/128"]
          deny: ["2001:db8:bad::/48"]
        """);
    assertEquals(200, get("/api/x", "X-Forwarded-For: 2001:db8:1::5").status());
    assertRefused(get("/api/x", "X-Forwarded-For: 2001:db8:bad::5"));
    assertRefused(get("/api/x", "X-Forwarded-For: 2001:db9::5"));
    assertEquals(200, get(InetAddress.getByName("::1"), "/api/x").status(), "an IPv6 socket peer");
  }
}
