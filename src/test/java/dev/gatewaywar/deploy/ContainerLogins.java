package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Requests to a gateway deployed in an app server whose realm checks basic_auth's users, and the
 * CORS checks the deployment tests share: a route {@code /app/*} limited to GET listing {@code
 * [cors, basic_auth]}, with {@code https://*.example.com} allowed.
 */
final class ContainerLogins {
  private final int port;
  private final TestUpstream upstream;

  ContainerLogins(int port, TestUpstream upstream) {
    this.port = port;
    this.upstream = upstream;
  }

  static String basic(String user, String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  RawHttp.Response get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  RawHttp.Response send(String method, String path, String... headers) throws Exception {
    StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\nHost: gw\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    return RawHttp.send(port, request.append("Connection: close\n\n").toString());
  }

  /**
   * The preflight is answered by the gateway, the 401 and the proxied answer carry the allowed
   * origin once, another origin gets none.
   *
   * @param credentials the {@code Authorization} header of a user the realm accepts
   */
  void assertCorsBeforeBasicAuth(String contextPath, String user, String credentials)
      throws Exception {
    String path = contextPath + "/app/x";
    String origin = "Origin: https://app.example.com";
    RawHttp.Response preflight =
        send(
            "OPTIONS",
            path,
            origin,
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: authorization");
    assertEquals(204, preflight.status(), preflight.body());
    assertEquals(
        List.of("https://app.example.com"), preflight.headerValues("Access-Control-Allow-Origin"));
    assertEquals("GET, POST", preflight.header("Access-Control-Allow-Methods"));
    assertTrue(upstream.noRequestWithin(200), "the gateway answered the preflight");
    RawHttp.Response refused = get(path, origin);
    assertEquals(401, refused.status());
    assertEquals("https://app.example.com", refused.header("Access-Control-Allow-Origin"));
    RawHttp.Response ok = get(path, origin, credentials);
    assertEquals(200, ok.status(), ok.body());
    assertEquals(
        List.of("https://app.example.com"), ok.headerValues("Access-Control-Allow-Origin"));
    assertEquals(List.of("Origin"), ok.headerValues("Vary"));
    assertEquals(user, upstream.nextRequest().header("X-User-Id"));
    RawHttp.Response other = get(path, "Origin: https://evil.test", credentials);
    assertEquals(200, other.status());
    assertTrue(other.headerValues("Access-Control-Allow-Origin").isEmpty());
    upstream.nextRequest();
  }
}
