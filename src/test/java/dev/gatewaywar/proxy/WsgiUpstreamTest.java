package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.Tokens;
import dev.gatewaywar.testing.WebappDir;
import dev.gatewaywar.testing.WsgiUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity headers the gateway sets, as a WSGI upstream reads them: {@code X-User-Id} and
 * {@code X_User_Id} are both its {@code HTTP_X_USER_ID}, so the client must not be able to send the
 * second, nor remove the first with a {@code Connection} token.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WsgiUpstreamTest {
  private static final String SECRET = "wsgi-test-secret";
  private static WsgiUpstream upstream;

  @TempDir Path dir;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = WsgiUpstream.start();
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  private EmbeddedGateway gateway(String server) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
        server:
          underscores_in_headers: %s
        auth:
          enabled: true
          secret: %s
        routes:
          - path: /me/*
            target: %s
            middleware: [auth]
            auth:
              forward_claims: {sub: X-User-Id}
          - path: /open/*
            target: %3$s
        """
            .formatted(server, SECRET, upstream.url()));
    return EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  private static Map<String, Object> environ(EmbeddedGateway gateway, String request)
      throws Exception {
    RawHttp.Response r = RawHttp.send(gateway.port(), request);
    assertEquals(200, r.status(), r.body());
    return WsgiUpstream.environ(r.body());
  }

  private static String bobsToken() {
    return Tokens.hs(Tokens.claims(Clock.systemUTC(), "bob"), "HS256", SECRET);
  }

  @Test
  void theUpstreamSeesOnlyTheGatewaysUserIdWhateverTheClientSends() throws Exception {
    // underscores allowed: only the ownership of X-User-Id stands between root and the upstream
    try (EmbeddedGateway gateway = gateway("true")) {
      Map<String, Object> env =
          environ(
              gateway,
              "GET /me/x HTTP/1.1\nHost: gw\nAuthorization: Bearer "
                  + bobsToken()
                  + "\nX_User_Id: root\nx_user-id: root\nConnection: close, X-User-Id\n\n");

      assertEquals("bob", env.get("HTTP_X_USER_ID"));
    }
  }

  @Test
  void headersWithUnderscoresDoNotReachTheUpstreamByDefault() throws Exception {
    try (EmbeddedGateway gateway = gateway("false")) {
      Map<String, Object> env =
          environ(
              gateway,
              "GET /open/x HTTP/1.1\nHost: gw\nX_Role: admin\nX-Custom: kept\n"
                  + "X_Forwarded_For: 198.51.100.7\nConnection: close\n\n");

      assertFalse(env.containsKey("HTTP_X_ROLE"), env.toString());
      assertEquals("kept", env.get("HTTP_X_CUSTOM"));
      assertEquals("127.0.0.1", env.get("HTTP_X_FORWARDED_FOR"));
    }
  }

  @Test
  void connectionTokensCannotRemoveTheForwardedHeaders() throws Exception {
    try (EmbeddedGateway gateway = gateway("false")) {
      Map<String, Object> env =
          environ(
              gateway,
              "GET /open/x HTTP/1.1\nHost: gw\n"
                  + "Connection: close, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host\n\n");

      assertEquals("127.0.0.1", env.get("HTTP_X_FORWARDED_FOR"));
      assertEquals("http", env.get("HTTP_X_FORWARDED_PROTO"));
      assertEquals("gw", env.get("HTTP_X_FORWARDED_HOST"));
    }
  }
}
