package dev.gatewaywar.headers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.api.RequestId;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.routing.RouteMatch;
import dev.gatewaywar.testing.Fakes;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderTemplateTest {
  private static HttpServletRequest request() {
    HttpServletRequest r = Fakes.request();
    new ClientAddress("203.0.113.9").attachTo(r);
    new RequestId("rid-1").attachTo(r);
    new RouteMatch("/users/:id", Map.of("id", "42"), null).attachTo(r);
    new Claims(Map.of("sub", "alice", "org", Map.of("name", "ACME"), "roles", List.of("a", "b")))
        .attachTo(r);
    return r;
  }

  @Test
  void everyVariableIsResolvedFromTheRequest() {
    HeaderTemplate t =
        HeaderTemplate.parse(
            "ip=${client_ip} id=${request_id} user=${param.id} sub=${claim.sub}"
                + " org=${claim.org.name} roles=${claim.roles}");
    assertEquals(
        "ip=203.0.113.9 id=rid-1 user=42 sub=alice org=ACME roles=a,b", t.resolve(request()));
    assertTrue(t.uses(HeaderTemplate.Kind.CLAIM));
    assertEquals(List.of("id"), t.params());
  }

  @Test
  void plainTextIsReturnedAsIsAndEscapesAreLiteral() {
    HeaderTemplate plain = HeaderTemplate.parse("gateway");
    HttpServletRequest r = request();
    assertSame(plain.resolve(r), plain.resolve(r), "no allocation for a constant");
    assertEquals(
        "${client_ip} and 203.0.113.9",
        HeaderTemplate.parse("$${client_ip} and ${client_ip}").resolve(r));
    assertFalse(plain.uses(HeaderTemplate.Kind.CLIENT_IP));
  }

  @Test
  void absentValuesResolveToNothing() {
    HttpServletRequest r = Fakes.request();
    new ClientAddress("::1").attachTo(r);
    assertEquals(
        "[][][]::1",
        HeaderTemplate.parse("[${claim.sub}][${request_id}][${param.x}]${client_ip}").resolve(r));
  }

  @Test
  void charactersNoHeaderMayCarryAreDroppedFromValues() {
    HttpServletRequest r = Fakes.request();
    new RouteMatch("/u/:id", Map.of("id", "a\r\nX-Evil: 1\u0000\u20acb\tc\u00e9"), null)
        .attachTo(r);
    assertEquals("v=aX-Evil: 1b\tc\u00e9", HeaderTemplate.parse("v=${param.id}").resolve(r));
  }

  @Test
  void unknownVariablesAndBadCharactersAreRefused() {
    for (String bad :
        List.of("${clientip}", "${param.}", "${claim.}", "${param.a-b}", "x${nope}")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HeaderTemplate.parse(bad), bad);
      assertTrue(e.getMessage().contains("unknown variable"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> HeaderTemplate.parse("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> HeaderTemplate.parse("${client_ip"));
  }

  @Test
  void onlyLowerCaseReferencesAreRequestVariables() {
    assertTrue(HeaderTemplate.isRequestVariable("client_ip"));
    assertTrue(HeaderTemplate.isRequestVariable("claim.sub"));
    assertFalse(HeaderTemplate.isRequestVariable("UPSTREAM_TOKEN"));
    assertFalse(HeaderTemplate.isRequestVariable("_X"));
    assertFalse(HeaderTemplate.isRequestVariable(""));
  }
}
