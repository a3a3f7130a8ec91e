package dev.gatewaywar.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.TestLoaders;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestIdBlockTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return TestLoaders.anyMiddleware(name -> null).parse(yaml, "test.yaml");
  }

  private static ConfigProblem onlyProblem(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertEquals(1, e.problems().size(), () -> "expected one problem, got " + e.problems());
    return e.problems().get(0);
  }

  @Test
  void defaultHeaderIsXRequestId() throws ConfigException {
    assertEquals(
        new RequestIdConfig("X-Request-Id"), load("routes: []\n").global(RequestIdBlock.INSTANCE));
    assertEquals(
        new RequestIdConfig("X-Trace-Me"),
        load("request_id:\n  header: X-Trace-Me\n").global(RequestIdBlock.INSTANCE));
  }

  @Test
  void badHeaderNamesAreRefusedWithTheirLine() {
    ConfigProblem p = onlyProblem("request_id:\n  header: 'X Request'\n");
    assertEquals(2, p.line());
    assertTrue(p.message().contains("not a header name"), p.message());
    ConfigProblem hop = onlyProblem("request_id:\n  header: Connection\n");
    assertEquals(2, hop.line());
    assertTrue(hop.message().contains("hop-by-hop"), hop.message());
    ConfigProblem unknown = onlyProblem("request_id:\n  headr: X-Id\n");
    assertTrue(unknown.message().contains("unknown key"), unknown.message());
  }

  @Test
  void theHeaderIsOwnedByTheGateway() throws ConfigException {
    GatewayConfig c =
        load(
            """
            routes:
              - path: /a
                target: http://127.0.0.1:9
                middleware: [request_id]
                request_id:
                  header: X-Correlation-Id
            """);
    assertTrue(c.upstreamHeaders().contains("X-Correlation-Id"), () -> "" + c.upstreamHeaders());
  }

  @Test
  void clientIdsAreKeptOnlyWhenUsable() {
    assertEquals("abc", RequestIdFilter.clientId(Collections.enumeration(List.of("abc"))));
    assertEquals(
        "x".repeat(128),
        RequestIdFilter.clientId(Collections.enumeration(List.of("x".repeat(128)))));
    assertNull(RequestIdFilter.clientId(Collections.enumeration(List.of("x".repeat(129)))));
    assertNull(RequestIdFilter.clientId(Collections.enumeration(List.of(""))));
    assertNull(RequestIdFilter.clientId(Collections.enumeration(List.of("a b"))));
    assertNull(RequestIdFilter.clientId(Collections.enumeration(List.of("a\tb"))));
    assertNull(RequestIdFilter.clientId(Collections.enumeration(List.of("a", "b"))));
    assertNull(RequestIdFilter.clientId(Collections.emptyEnumeration()));
    assertFalse(RequestIdFilter.usable("\u00e9"));
  }
}
