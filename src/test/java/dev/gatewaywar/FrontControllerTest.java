package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.io.IOException;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Routing as a client sees it, with the gateway deployed as {@code gateway.war}: routes sit under
 * the {@code /gateway} context path, and the upstream gets paths without it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrontControllerTest {
  private static TestUpstream upstream;

  @ArquillianResource private URL base;

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    return GatewayArchive.withConfig(
        "gateway.war",
        """
        routes:
          - path: /users/:id
            methods: [GET, PUT]
            target: %1$s
          - path: /users/me
            methods: [GET]
            target: %1$s/me-service
          - path: /files/*
            methods: [GET]
            target: %1$s
          - path: /users
            methods: [GET]
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

  private RawHttp.Response get(String method, String path) throws IOException {
    return RawHttp.send(
        base.getPort(), method + " " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  @Test
  void routesLiveUnderTheContextPathAndTheUpstreamGetsThePathWithoutIt() throws Exception {
    assertEquals(200, get("GET", "/gateway/users/42?x=1").status());
    assertEquals("/users/42?x=1", upstream.nextRequest().rawUri());
  }

  @Test
  void exactRouteBeatsParamRouteDefinedBeforeIt() throws Exception {
    assertEquals(200, get("GET", "/gateway/users/me").status());
    assertEquals("/me-service/users/me", upstream.nextRequest().rawUri());
  }

  @Test
  void unmatchedPathIs404Json() throws Exception {
    RawHttp.Response r = get("GET", "/gateway/nowhere");
    assertEquals(404, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("{\"error\":\"not found\"}", r.body());
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void trailingSlashIsADifferentPath() throws Exception {
    assertEquals(404, get("GET", "/gateway/users/").status());
  }

  @Test
  void prefixRouteMatchesItsRootButNotALongerName() throws Exception {
    assertEquals(200, get("GET", "/gateway/files").status());
    assertEquals("/files", upstream.nextRequest().rawUri());
    assertEquals(200, get("GET", "/gateway/files/a/b.txt").status());
    assertEquals("/files/a/b.txt", upstream.nextRequest().rawUri());
    assertEquals(404, get("GET", "/gateway/filesystem").status());
  }

  @Test
  void methodNotAllowedListsWhatWouldBeAccepted() throws Exception {
    RawHttp.Response r = get("DELETE", "/gateway/users/7");
    assertEquals(405, r.status());
    assertEquals("GET, PUT", r.header("Allow"));
    assertEquals("{\"error\":\"method not allowed\"}", r.body());
    assertTrue(upstream.noRequestWithin(200));
  }

  @Test
  void dotSegmentsAreResolvedBeforeMatching() throws Exception {
    assertEquals(404, get("GET", "/gateway/files/../secret").status());
    assertTrue(
        upstream.noRequestWithin(200), "/files/* must not receive what normalises to /secret");
  }
}
