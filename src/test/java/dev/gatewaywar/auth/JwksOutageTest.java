package dev.gatewaywar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the JWKS endpoint unreachable and no key cached, a token cannot be checked: the gateway
 * answers 503 promptly (not 401, not 500, not a hang), and the deployment itself still starts.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class JwksOutageTest {
  private static TestUpstream upstream;

  @ArquillianResource private URL base;

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    return GatewayArchive.withConfig(
        "ROOT.war",
        """
        auth:
          enabled: true
          jwks_url: http://127.0.0.1:%2$d/certs
          algorithms: [RS256]
          fetch_timeout: 500ms
        routes:
          - path: /api/*
            target: %1$s
            middleware: [auth]
        """
            .formatted(upstream.url(), FreePortForArquillian.freePort()));
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  @Test
  void jwksDownGives503Json() throws Exception {
    PublicJsonWebKey key = Tokens.keyFor("RS256", "k1");
    String token = Tokens.sign(Tokens.claims(Clock.systemUTC(), "alice"), "RS256", key);
    long start = System.nanoTime();

    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort() + "/api/x"))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                BodyHandlers.ofString());

    assertEquals(503, r.statusCode(), r.body());
    assertEquals("{\"error\":\"service unavailable\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").get());
    assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000);
    assertTrue(upstream.noRequestWithin(200));
  }
}
