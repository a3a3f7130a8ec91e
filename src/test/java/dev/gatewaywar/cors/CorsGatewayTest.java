package dev.gatewaywar.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cors middleware in the gateway on an embedded Tomcat, in front of a real upstream. */
class CorsGatewayTest {
  private static final String ALLOWED = "https://app.example.com";
  private static final String CONFIG =
      """
      cors:
        allow_origins: ["https://app.example.com", "https://*.example.com"]
        allow_methods: [GET, POST]
        allow_headers: [Authorization, Content-Type]
        expose_headers: [X-Total]
        max_age: 10m
      routes:
        - path: /any/*
          target: UPSTREAM
          middleware: [cors]
        - path: /get/*
          methods: [GET]
          target: UPSTREAM
          middleware: [cors]
        - path: /plain/*
          methods: [GET]
          target: UPSTREAM
        - path: /creds/*
          target: UPSTREAM
          middleware: [cors]
          cors:
            allow_credentials: true
        - path: /locked/*
          target: UPSTREAM
          middleware: [cors, basic_auth]
      """;

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.start();
    // an upstream with CORS of its own, which the gateway's must replace
    upstream.handle(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
          exchange.getResponseHeaders().add("Access-Control-Allow-Methods", "DELETE");
          exchange.getResponseHeaders().add("Vary", "Accept-Encoding");
          TestUpstream.reply(exchange, 200, "ok");
        });
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, CONFIG.replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.create(), file, 0);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private RawHttp.Response send(String method, String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  @Test
  void allowedPreflightIsAnsweredByTheGateway() throws Exception {
    RawHttp.Response r =
        send(
            "OPTIONS",
            "/any/x",
            "Origin: " + ALLOWED,
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type");
    assertEquals(204, r.status());
    assertEquals(List.of(ALLOWED), r.headerValues("Access-Control-Allow-Origin"));
    assertEquals("GET, POST", r.header("Access-Control-Allow-Methods"));
    assertEquals("Authorization, Content-Type", r.header("Access-Control-Allow-Headers"));
    assertEquals("600", r.header("Access-Control-Max-Age"));
    assertNull(r.header("Access-Control-Allow-Credentials"));
    assertTrue(r.header("Vary").contains("Origin"));
    assertEquals("", r.body());
    assertTrue(upstream.noRequestWithin(200), "the preflight never reached the upstream");
  }

  @Test
  void preflightToARouteWithoutOptionsIsAnsweredForTheMethodItAsksAbout() throws Exception {
    RawHttp.Response r =
        send(
            "OPTIONS",
            "/get/x",
            "Origin: https://tenant.example.com",
            "Access-Control-Request-Method: GET");
    assertEquals(204, r.status());
    assertEquals("https://tenant.example.com", r.header("Access-Control-Allow-Origin"));
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void refusedPreflightOnARouteWithoutOptionsIs405() throws Exception {
    RawHttp.Response r =
        send(
            "OPTIONS", "/get/x", "Origin: https://evil.test", "Access-Control-Request-Method: GET");
    assertEquals(405, r.status());
    assertEquals("{\"error\":\"method not allowed\"}", r.body());
    assertEquals("GET", r.header("Allow"));
    assertNull(r.header("Access-Control-Allow-Origin"));
    assertEquals(
        405,
        send("OPTIONS", "/plain/x", "Origin: " + ALLOWED, "Access-Control-Request-Method: GET")
            .status(),
        "a route without cors does not take preflights");
  }

  @Test
  void disallowedPreflightIsProxiedWithoutAllowOrigin() throws Exception {
    RawHttp.Response r =
        send(
            "OPTIONS", "/any/x", "Origin: https://evil.test", "Access-Control-Request-Method: GET");
    assertEquals(200, r.status());
    assertEquals("OPTIONS", upstream.nextRequest().method());
    assertTrue(r.headerValues("Access-Control-Allow-Origin").isEmpty(), "upstream's '*' dropped");
    assertTrue(r.headerValues("Access-Control-Allow-Methods").isEmpty());
  }

  @Test
  void allowedOriginGetsItsOriginOnceAndMergedVary() throws Exception {
    RawHttp.Response r = send("GET", "/any/x", "Origin: " + ALLOWED);
    assertEquals(200, r.status());
    assertEquals("ok", r.body());
    assertEquals(List.of(ALLOWED), r.headerValues("Access-Control-Allow-Origin"));
    assertEquals(List.of("X-Total"), r.headerValues("Access-Control-Expose-Headers"));
    assertTrue(r.headerValues("Access-Control-Allow-Methods").isEmpty(), "upstream's dropped");
    assertEquals(List.of("Accept-Encoding, Origin"), r.headerValues("Vary"));
    assertEquals(ALLOWED, upstream.nextRequest().header("Origin"), "the request is proxied as is");
  }

  @Test
  void disallowedOriginIsProxiedWithoutAllowOrigin() throws Exception {
    RawHttp.Response r = send("GET", "/any/x", "Origin: https://evil.test");
    assertEquals(200, r.status());
    assertEquals("ok", r.body());
    assertTrue(r.headerValues("Access-Control-Allow-Origin").isEmpty());
    assertEquals(List.of("Accept-Encoding, Origin"), r.headerValues("Vary"));
    upstream.nextRequest();
  }

  @Test
  void requestWithoutOriginStillVariesOnIt() throws Exception {
    RawHttp.Response r = send("GET", "/any/x");
    assertEquals(200, r.status());
    assertTrue(r.headerValues("Access-Control-Allow-Origin").isEmpty());
    assertEquals(List.of("Accept-Encoding, Origin"), r.headerValues("Vary"));
  }

  @Test
  void credentialsAreAllowedOnlyWhereConfigured() throws Exception {
    assertNull(
        send("GET", "/any/x", "Origin: " + ALLOWED).header("Access-Control-Allow-Credentials"));
    RawHttp.Response r = send("GET", "/creds/x", "Origin: " + ALLOWED);
    assertEquals(List.of("true"), r.headerValues("Access-Control-Allow-Credentials"));
    RawHttp.Response preflight =
        send("OPTIONS", "/creds/x", "Origin: " + ALLOWED, "Access-Control-Request-Method: GET");
    assertEquals("true", preflight.header("Access-Control-Allow-Credentials"));
  }

  @Test
  void credentialCheckAfterCorsLetsPreflightsThroughAndItsRefusalsAreReadable() throws Exception {
    RawHttp.Response preflight =
        send("OPTIONS", "/locked/x", "Origin: " + ALLOWED, "Access-Control-Request-Method: GET");
    assertEquals(204, preflight.status());
    // the embedded runner has no realm: basic_auth refuses every user
    RawHttp.Response refused = send("GET", "/locked/x", "Origin: " + ALLOWED);
    assertEquals(401, refused.status());
    assertEquals(ALLOWED, refused.header("Access-Control-Allow-Origin"));
    assertEquals("Basic realm=\"gateway\"", refused.header("WWW-Authenticate"));
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void gatewayErrorsToAnAllowedOriginKeepTheCorsHeaders() throws Exception {
    upstream.close(); // the upstream is down: the gateway answers 502 itself
    RawHttp.Response r = send("GET", "/any/x", "Origin: " + ALLOWED);
    assertEquals(502, r.status());
    assertEquals(ALLOWED, r.header("Access-Control-Allow-Origin"));
    assertEquals("Origin", r.header("Vary"));
  }
}
