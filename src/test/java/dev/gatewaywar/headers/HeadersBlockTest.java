package dev.gatewaywar.headers;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.TestLoaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersBlockTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return TestLoaders.anyMiddleware(Map.of("UPSTREAM_TOKEN", "s3")::get).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  private static void assertProblem(String yaml, int line, String fragment) {
    ConfigProblem p = onlyProblem(yaml);
    assertAll(
        () -> assertEquals(line, p.line(), () -> "line of " + p),
        () -> assertTrue(p.message().contains(fragment), () -> p.message()));
  }

  private static List<String> names(List<HeaderEdits.Header> headers) {
    return headers.stream().map(HeaderEdits.Header::name).toList();
  }

  @Test
  void everyKeyIsReadAndEnvironmentReferencesStillWork() throws ConfigException {
    HeadersConfig c =
        load("""
                headers:
                  request:
                    set: {X-Env: prod, Authorization: "Bearer ${UPSTREAM_TOKEN}"}
                    add: {X-Via: "gw ${client_ip}"}
                    remove: [X-Debug]
                  response:
                    set: {X-Frame-Options: DENY}
                    add: {X-Served-By: "$${literal}"}
                    remove: [Server]
                """)
            .global(HeadersBlock.INSTANCE);
    assertEquals(List.of("X-Env", "Authorization"), names(c.request().set()));
    assertEquals("Bearer s3", c.request().set().get(1).value().toString());
    assertEquals("gw ${client_ip}", c.request().add().get(0).value().toString());
    assertTrue(c.request().add().get(0).value().uses(HeaderTemplate.Kind.CLIENT_IP));
    assertEquals(List.of("X-Debug"), c.request().remove());
    assertEquals(List.of("Server"), c.response().remove());
    assertEquals(
        "${literal}",
        c.response().add().get(0).value().resolve(dev.gatewaywar.testing.Fakes.request()));
    assertEquals(HeadersConfig.DEFAULT, load("routes: []\n").global(HeadersBlock.INSTANCE));
  }

  @Test
  void routesOwnBlockInheritsKeyByKeyAndItsSetNamesAreOwned() throws ConfigException {
    GatewayConfig c =
        load(
            """
            headers:
              request:
                set: {X-Env: prod}
                remove: [X-Debug]
              response:
                remove: [Server]
            routes:
              - path: /a
                target: http://127.0.0.1:9
                middleware: [headers]
                headers:
                  request:
                    set: {X-Team: a}
            """);
    HeadersConfig own = c.routes().get(0).own(HeadersBlock.INSTANCE).orElseThrow();
    assertEquals(List.of("X-Team"), names(own.request().set()));
    assertEquals(List.of("X-Debug"), own.request().remove());
    assertEquals(List.of("Server"), own.response().remove());
    assertTrue(c.upstreamHeaders().contains("X-Team"), () -> "" + c.upstreamHeaders());
  }

  @Test
  void hopByHopAndFramingHeadersAreRefusedWithTheirLine() {
    for (String name :
        List.of(
            "Connection",
            "Keep-Alive",
            "Transfer-Encoding",
            "TE",
            "Trailer",
            "upgrade",
            "Proxy-Authorization",
            "Proxy-Foo")) {
      assertProblem("headers:\n  request:\n    set:\n      " + name + ": x\n", 4, "hop-by-hop");
      assertProblem("headers:\n  response:\n    add: {" + name + ": x}\n", 3, "hop-by-hop");
      assertProblem("headers:\n  response:\n    remove:\n      - " + name + "\n", 4, "hop-by-hop");
    }
    assertProblem("headers:\n  response:\n    set: {Content-Length: '1'}\n", 3, "frames the body");
    assertProblem("headers:\n  request:\n    set: {Host: x}\n", 3, "preserve_host");
    assertProblem("headers:\n  request:\n    remove: [X-Forwarded-For]\n", 3, "gateway itself");
    assertProblem("headers:\n  request:\n    set: {'X A': x}\n", 3, "not a header name");
  }

  @Test
  void unknownVariablesAndConflictsAreRefusedWithTheirLine() {
    assertProblem(
        "headers:\n  response:\n    set:\n      X-A: '${clientip}'\n", 4, "unknown variable");
    assertProblem(
        "headers:\n  request:\n    set: {X-A: a}\n    remove: [x-a]\n", 4, "also set or added");
    assertProblem("headers:\n  request:\n    set: {X-A: a, x-a: b}\n", 3, "appears twice");
    assertProblem("headers:\n  request:\n    sett: {X-A: a}\n", 3, "unknown key");
  }

  @Test
  void claimValuesNeedAuthBeforeAndRequestIdValuesNeedRequestId() throws ConfigException {
    String yaml =
        """
        auth:
          enabled: true
          secret: test-secret-of-at-least-32-bytes!!
        routes:
          - path: /a
            target: http://127.0.0.1:9
            middleware: [%s]
            headers:
              request:
                set: {X-User: "${claim.sub}", X-Id: "${request_id}"}
        """;
    ConfigException e =
        assertThrows(ConfigException.class, () -> load(yaml.formatted("headers, auth")));
    assertEquals(2, e.problems().size(), () -> "" + e.problems());
    assertEquals(7, e.problems().get(0).line());
    assertTrue(e.problems().get(0).message().contains("list auth before headers"));
    assertTrue(e.problems().get(1).message().contains("request_id listed before headers"));
    load(yaml.formatted("auth, request_id, headers"));
  }

  @Test
  void pathParameterValuesNeedTheParameterInTheRoutesPath() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /users/:id
                target: http://127.0.0.1:9
                middleware: [headers]
              - path: /teams/:team
                target: http://127.0.0.1:9
                middleware: [headers]
            headers:
              request:
                set: {X-User: "${param.id}"}
            """);
    HeadersMiddleware m = new HeadersMiddleware();
    m.create(new MiddlewareContext(c, c.routes().get(0), null));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.create(new MiddlewareContext(c, c.routes().get(1), null)));
    assertTrue(e.getMessage().contains("has no :id"), e.getMessage());
  }
}
