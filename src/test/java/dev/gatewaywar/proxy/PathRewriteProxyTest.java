package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TestUpstream.Received;
import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code strip_prefix} and {@code rewrite} as docs/configuration.md describes them, with the WAR on
 * an embedded Tomcat and a real upstream recording the request line it got.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PathRewriteProxyTest {
  private static TestUpstream upstream;

  @ArquillianResource private URL base;

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    return GatewayArchive.withConfig(
        "ROOT.war",
        """
        routes:
          - path: /api/*
            target: %1$s
            strip_prefix: /api
          - path: /v1/*
            target: %1$s/base
            rewrite: /v2/:rest
          - path: /users/:id/posts/:post
            target: %1$s
            rewrite: /posts/:post/author/:id
          - path: /plain/*
            target: %1$s
        """
            .formatted(upstream.url()));
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.clear();
  }

  private Received send(String requestTarget, String... headers) throws Exception {
    StringBuilder request =
        new StringBuilder("GET " + requestTarget + " HTTP/1.1\nHost: gw\nConnection: close\n");
    for (String h : headers) {
      request.append(h).append('\n');
    }
    RawHttp.Response r = RawHttp.send(base.getPort(), request.append('\n').toString());
    assertEquals(200, r.status(), r.body());
    return upstream.nextRequest();
  }

  @ParameterizedTest
  @CsvSource({
    "/api/x/y?q, /x/y?q",
    "/api, /",
    "/api?a=1, /?a=1",
    "/api/, /",
    "/api/a%20b/%25/%C3%A9/x+y?k=%20+%2F, /a%20b/%25/%C3%A9/x+y?k=%20+%2F",
  })
  void stripPrefixSendsTheRestByteForByte(String client, String upstreamGets) throws Exception {
    assertEquals(upstreamGets, send(client).rawUri());
  }

  @Test
  void stripPrefixSetsForwardedPrefixAndDropsTheClientsOwn() throws Exception {
    Received got = send("/api/x", "X-Forwarded-Prefix: /forged", "X_Forwarded_Prefix: /forged2");
    assertEquals(List.of("/api"), got.headerValues("X-Forwarded-Prefix"));
  }

  @Test
  void aClientsForwardedPrefixIsDroppedOnEveryRoute() throws Exception {
    Received got = send("/plain/x", "X-Forwarded-Prefix: /forged");
    assertNull(got.header("X-Forwarded-Prefix"));
    assertEquals("/plain/x", got.rawUri());
  }

  @ParameterizedTest
  @CsvSource({
    "/v1/a/b, /base/v2/a/b",
    "/v1, /base/v2/",
    "/v1/, /base/v2/",
    "/v1/a/b/?x=1&y=%2F, /base/v2/a/b/?x=1&y=%2F",
    "/v1/%C3%A9/a%20b/%25+, /base/v2/%C3%A9/a%20b/%25+",
    "//v1//a/./b/../c, /base/v2/a/c",
  })
  void rewriteFillsRestFromTheRawNormalisedPath(String client, String upstreamGets)
      throws Exception {
    Received got = send(client);
    assertEquals(upstreamGets, got.rawUri());
    assertNull(got.header("X-Forwarded-Prefix"), "only strip_prefix sends a prefix");
  }

  @Test
  void rewriteMovesParamsKeepingTheirEncoding() throws Exception {
    assertEquals(
        "/posts/%C3%A9+1/author/a%20b?full", send("/users/a%20b/posts/%C3%A9+1?full").rawUri());
  }
}
