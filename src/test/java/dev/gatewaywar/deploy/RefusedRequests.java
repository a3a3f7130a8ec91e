package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.RawHttp;
import java.util.List;

/**
 * Requests every server refuses while parsing, before any webapp sees them, and the check that its
 * answer shows nothing of the server's insides: no stack trace, no exception, no product or version
 * in the body or in a {@code Server} or {@code X-Powered-By} header.
 */
final class RefusedRequests {
  static final List<String> MALFORMED =
      List.of(
          "GET /a{b HTTP/1.1\nHost: gw\nConnection: close\n\n",
          "GET /a\u0001b HTTP/1.1\nHost: gw\nConnection: close\n\n",
          "G(T /x HTTP/1.1\nHost: gw\nConnection: close\n\n");

  private static final List<String> INSIDES =
      List.of("Exception", "at org.", "Tomcat", "WildFly", "Undertow", "Apache");

  private RefusedRequests() {}

  static void assertAnsweredWithoutInternals(int port) throws Exception {
    for (String request : MALFORMED) {
      RawHttp.Response r = RawHttp.send(port, request);
      String seen = request.lines().findFirst().orElse("") + " -> " + r;
      assertEquals(400, r.status(), seen);
      for (String inside : INSIDES) {
        assertFalse(r.body().contains(inside), seen);
      }
      for (String header : List.of("Server", "X-Powered-By")) {
        String value = r.header(header);
        assertTrue(value == null || value.chars().noneMatch(Character::isDigit), seen);
      }
    }
  }
}
