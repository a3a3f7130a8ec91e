package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's flow with the packaged WAR: {@code java -jar gateway.war token --config FILE} mints
 * a token that {@code java -jar gateway.war --config FILE} accepts on an auth route.
 */
class DevTokenIT {
  private static final Pattern JWT = Pattern.compile("(?m)^[\\w-]+\\.[\\w-]+\\.[\\w-]+$");

  @TempDir Path dir;

  @Test
  void tokenFromTheCliOpensTheAuthRouteOfTheServedGateway() throws Exception {
    try (TestUpstream upstream = TestUpstream.start()) {
      int port = FreePortForArquillian.freePort();
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          """
          server:
            port: %d
          auth:
            enabled: true
            type: jwt
            secret: your-secret
          routes:
            - path: /me
              target: %s
              middleware: [auth]
              auth:
                forward_claims: {sub: X-User-Id}
          """
              .formatted(port, upstream.url()));
      GatewayProcess cli =
          GatewayProcess.run("token", "--config", config.toString(), "--sub", "alice");
      assertEquals(0, cli.exitCode(), cli.output());
      Matcher m = JWT.matcher(cli.output());
      assertTrue(m.find(), cli.output());
      String token = m.group();

      try (GatewayProcess gateway =
          GatewayProcess.start(List.of(), port, "--config", config.toString())) {
        RawHttp.Response denied =
            RawHttp.send(port, "GET /me HTTP/1.1\nHost: gw\nConnection: close\n\n");
        assertEquals(401, denied.status());
        assertEquals("{\"error\":\"missing token\"}", denied.body());

        RawHttp.Response ok =
            RawHttp.send(
                port,
                "GET /me HTTP/1.1\nHost: gw\nAuthorization: Bearer "
                    + token
                    + "\nConnection: close\n\n");
        assertEquals(200, ok.status());
        assertEquals("alice", upstream.nextRequest().header("X-User-Id"));
      }
    }
  }
}
