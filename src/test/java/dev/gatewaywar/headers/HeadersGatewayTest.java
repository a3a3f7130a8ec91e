package dev.gatewaywar.headers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.DevTokens;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headers middleware in the gateway on an embedded Tomcat, in front of a real upstream. */
class HeadersGatewayTest {
  private static final String SECRET = "test-secret-of-at-least-32-bytes!!";

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle(
        "/api/answer",
        e -> {
          e.getResponseHeaders().add("X-Replaced", "up-1");
          e.getResponseHeaders().add("X-Replaced", "up-2");
          e.getResponseHeaders().add("X-Added", "up");
          e.getResponseHeaders().add("X-Internal", "secret-ish");
          e.getResponseHeaders().add("X-Kept", "up");
          TestUpstream.reply(e, 200, "ok");
        });
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
    Files.writeString(file, yaml.replace("UPSTREAM", upstream.url()).replace("SECRET", SECRET));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  private RawHttp.Response get(String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  @Test
  void requestHeadersAreSetAddedAndRemovedWhateverTheirCase() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [headers]
        headers:
          request:
            set: {X-Env: prod}
            add: {X-Via: gateway, X-Fresh: new, Cookie: "gw=1"}
            remove: [X-Debug]
        """);
    assertEquals(
        200,
        get(
                "/api/x",
                "x-env: forged-1",
                "X-ENV: forged-2",
                "x-via: client-1",
                "X-Via: client-2",
                "x-debug: on",
                "Cookie: a=1",
                "X-Other: kept")
            .status());
    TestUpstream.Received r = upstream.nextRequest();
    assertEquals(List.of("prod"), r.headerValues("X-Env"), "set replaces every client value");
    assertEquals(
        List.of("client-1, client-2, gateway"), r.headerValues("X-Via"), "add follows them");
    assertEquals(List.of("new"), r.headerValues("X-Fresh"));
    assertEquals(List.of("a=1; gw=1"), r.headerValues("Cookie"), "cookies join with ;");
    assertEquals(List.of(), r.headerValues("X-Debug"));
    assertEquals(List.of("kept"), r.headerValues("X-Other"));
  }

  @Test
  void setRequestHeadersAreTheGatewaysOnRoutesWithoutTheMiddleware() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [headers]
          - path: /open/*
            target: UPSTREAM
        headers:
          request:
            set: {X-Env: prod}
            add: {X-Via: gateway}
        """);
    get("/open/x", "X-Env: forged", "X-Via: client");
    TestUpstream.Received r = upstream.nextRequest();
    assertEquals(List.of(), r.headerValues("X-Env"));
    assertEquals(List.of("client"), r.headerValues("X-Via"), "added names stay the client's");
  }

  @Test
  void responseHeadersReplaceAddToAndRemoveTheUpstreams() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [headers]
        headers:
          response:
            set: {x-replaced: gateway, X-New: "yes"}
            add: {X-Added: gateway}
            remove: [x-INTERNAL]
        """);
    RawHttp.Response r = get("/api/answer");
    assertEquals(200, r.status());
    assertEquals("ok", r.body());
    assertEquals(List.of("gateway"), r.headerValues("X-Replaced"));
    assertEquals(List.of("yes"), r.headerValues("X-New"));
    assertEquals(List.of("gateway", "up"), r.headerValues("X-Added"));
    assertEquals(List.of(), r.headerValues("X-Internal"));
    assertEquals(List.of("up"), r.headerValues("X-Kept"));
  }

  @Test
  void templatesReadTheClientThePathTheTokenAndTheRequestId() throws Exception {
    start(
        """
        auth:
          enabled: true
          secret: SECRET
        routes:
          - path: /api/:team/answer
            target: UPSTREAM
            middleware: [auth, request_id, headers]
            headers:
              request:
                set:
                  X-Client: "${client_ip}"
                  X-Team: "team-${param.team}"
                  X-Sub: "${claim.sub}/${claim.org}"
                  X-Trace: "id=${request_id}"
              response:
                set: {X-Echo: "${param.team}:${claim.sub}:${request_id}", X-Literal: "$${client_ip}"}
        """);
    AuthConfig auth = new AuthConfig(true, "jwt", SECRET);
    String token =
        DevTokens.mint(
            auth, "alice", Duration.ofMinutes(5), Map.of("org", "acme"), Clock.systemUTC());
    RawHttp.Response r =
        get("/api/blue/answer", "Authorization: Bearer " + token, "X-Request-Id: rid-7");
    assertEquals(200, r.status());
    assertEquals("blue:alice:rid-7", r.header("X-Echo"));
    assertEquals("${client_ip}", r.header("X-Literal"));
    TestUpstream.Received up = upstream.nextRequest();
    assertEquals("127.0.0.1", up.header("X-Client"));
    assertEquals("team-blue", up.header("X-Team"));
    assertEquals("alice/acme", up.header("X-Sub"));
    assertEquals("id=rid-7", up.header("X-Trace"));
  }

  @Test
  void claimValuesCannotSplitAHeader() throws Exception {
    start(
        """
        auth:
          enabled: true
          secret: SECRET
        routes:
          - path: /api/*
            target: UPSTREAM
            middleware: [auth, headers]
            headers:
              request:
                set: {X-Team: "${claim.team}"}
              response:
                set: {X-Team: "${claim.team}"}
        """);
    String token =
        DevTokens.mint(
            new AuthConfig(true, "jwt", SECRET),
            "alice",
            Duration.ofMinutes(5),
            Map.of("team", "a\r\nX-Evil: 1"),
            Clock.systemUTC());
    RawHttp.Response r = get("/api/x", "Authorization: Bearer " + token);
    assertEquals(200, r.status());
    assertNull(r.header("X-Evil"));
    assertEquals("aX-Evil: 1", r.header("X-Team"));
    TestUpstream.Received up = upstream.nextRequest();
    assertEquals(List.of(), up.headerValues("X-Evil"));
    assertEquals("aX-Evil: 1", up.header("X-Team"));
  }

  @Test
  void responseHeadersAreOnTheGatewaysOwnErrorsToo() throws Exception {
    start(
        """
        routes:
          - path: /api/*
            target: http://127.0.0.1:1
            middleware: [headers]
        headers:
          response:
            set: {X-Frame-Options: DENY}
        """);
    RawHttp.Response r = get("/api/x");
    assertEquals(502, r.status());
    assertEquals("DENY", r.header("X-Frame-Options"));
    assertTrue(r.body().contains("bad gateway"), r.body());
  }
}
