package dev.gatewaywar.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request_id middleware in the gateway on an embedded Tomcat, in front of a real upstream. */
class RequestIdGatewayTest {
  private static final String ROUTES =
      """
      routes:
        - path: /api/*
          target: UPSTREAM
          middleware: [request_id]
        - path: /open/*
          target: UPSTREAM
        - path: /own/*
          target: UPSTREAM
          middleware: [request_id]
          request_id:
            header: X-Correlation-Id
      """;

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

  private RawHttp.Response get(String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(gateway.port(), request.append("Connection: close\n\n").toString());
  }

  private static void assertUuid(String id) {
    assertEquals(id, UUID.fromString(id).toString(), "a UUID: " + id);
  }

  @Test
  void requestWithoutIdGetsANewOneUpstreamAndBack() throws Exception {
    start(ROUTES);
    RawHttp.Response r = get("/api/x");
    assertEquals(200, r.status());
    List<String> ids = r.headerValues("X-Request-Id");
    assertEquals(1, ids.size(), () -> "one id: " + ids);
    assertUuid(ids.get(0));
    assertEquals(List.of(ids.get(0)), upstream.nextRequest().headerValues("X-Request-Id"));
    assertNotEquals(ids.get(0), get("/api/x").header("X-Request-Id"), "a new id per request");
  }

  @Test
  void clientsUsableIdIsKept() throws Exception {
    start(ROUTES);
    String id = "a".repeat(120) + "-~!{}#";
    RawHttp.Response r = get("/api/x", "x-request-id: " + id);
    assertEquals(List.of(id), r.headerValues("X-Request-Id"));
    assertEquals(List.of(id), upstream.nextRequest().headerValues("X-Request-Id"));
  }

  @Test
  void unusableClientIdsAreReplaced() throws Exception {
    start(ROUTES);
    for (String[] sent :
        new String[][] {
          {"X-Request-Id: " + "a".repeat(129)},
          {"X-Request-Id: has space"},
          {"X-Request-Id: caf\u00e9"},
          {"X-Request-Id:"},
          {"X-Request-Id: one", "X-Request-Id: two"},
        }) {
      RawHttp.Response r = get("/api/x", sent);
      assertEquals(200, r.status());
      String id = r.header("X-Request-Id");
      assertUuid(id);
      assertEquals(
          List.of(id),
          upstream.nextRequest().headerValues("X-Request-Id"),
          () -> "only the gateway's id upstream for " + List.of(sent));
    }
  }

  @Test
  void upstreamsOwnIdInItsAnswerIsReplaced() throws Exception {
    upstream.handle(
        "/api/echo",
        e -> {
          e.getResponseHeaders().add("X-Request-Id", "upstream-made");
          TestUpstream.reply(e, 200, "ok");
        });
    start(ROUTES);
    RawHttp.Response r = get("/api/echo", "X-Request-Id: client-made");
    assertEquals(List.of("client-made"), r.headerValues("X-Request-Id"));
  }

  @Test
  void routesOwnBlockNamesAnotherHeader() throws Exception {
    start(ROUTES);
    RawHttp.Response r = get("/own/x", "X-Correlation-Id: corr-1");
    assertEquals("corr-1", r.header("X-Correlation-Id"));
    assertEquals(List.of("corr-1"), upstream.nextRequest().headerValues("X-Correlation-Id"));
  }

  @Test
  void clientsCopyNeverReachesTheUpstreamOnRoutesWithoutTheMiddleware() throws Exception {
    start(ROUTES);
    assertEquals(200, get("/open/x", "X-Request-Id: forged").status());
    assertEquals(List.of(), upstream.nextRequest().headerValues("X-Request-Id"));
  }

  @Test
  void traceparentPassesUntouched() throws Exception {
    start(ROUTES);
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    get("/api/x", "traceparent: " + traceparent);
    assertEquals(List.of(traceparent), upstream.nextRequest().headerValues("traceparent"));
  }

  @Test
  void accessLogLineCarriesTheId() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream realOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      start(
          """
          logging:
            format: json
          routes:
            - path: /api/*
              target: UPSTREAM
              middleware: [logging, request_id]
          """);
      get("/api/x", "X-Request-Id: logged-id-1");
      String made = get("/api/y").header("X-Request-Id");
      List<Map<String, Object>> lines = List.of();
      for (int i = 0; i < 500 && lines.size() < 2; i++) {
        Thread.sleep(20); // the line is written once the response is complete
        lines = JsonObjects.accessLines(out.toString(StandardCharsets.UTF_8));
      }
      assertEquals(2, lines.size(), () -> out.toString(StandardCharsets.UTF_8));
      assertEquals("logged-id-1", lines.get(0).get("request_id"));
      assertEquals(made, lines.get(1).get("request_id"));
    } finally {
      gateway.close();
      gateway = null;
      System.setOut(realOut);
    }
  }

  @Test
  void textAccessLogLineEndsWithTheId() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream realOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      start(
          """
          logging:
            format: text
          routes:
            - path: /api/*
              target: UPSTREAM
              middleware: [logging, request_id]
          """);
      get("/api/x", "X-Request-Id: text-id-1");
      String line = "";
      for (int i = 0; i < 500 && !line.contains("route="); i++) {
        Thread.sleep(20); // the line is written once the response is complete
        line =
            out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.contains("route="))
                .findFirst()
                .orElse("");
      }
      assertTrue(line.endsWith(" request_id=text-id-1"), line);
    } finally {
      gateway.close();
      gateway = null;
      System.setOut(realOut);
    }
  }

  @Test
  void idIsReturnedWithTheGatewaysOwnErrors() throws Exception {
    start(ROUTES.replace("UPSTREAM", "http://127.0.0.1:1"));
    RawHttp.Response r = get("/api/x", "X-Request-Id: failed-1");
    assertEquals(502, r.status());
    assertEquals(List.of("failed-1"), r.headerValues("X-Request-Id"));
    assertTrue(r.body().contains("bad gateway"), r.body());
  }
}
