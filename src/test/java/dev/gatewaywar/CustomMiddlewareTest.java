package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.gateway.RequestIdMiddleware;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.testing.FailingMiddleware;
import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.StampMiddleware;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TestUpstream.Received;
import java.io.IOException;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Custom middleware as a user adds them: a jar in {@code WEB-INF/lib} with a {@code
 * META-INF/services/dev.gatewaywar.api.Middleware} file, named in the config. Uses the example in
 * {@code examples/custom-middleware} itself.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CustomMiddlewareTest {
  private static TestUpstream upstream;

  @ArquillianResource private URL base;

  @Deployment(testable = false)
  static WebArchive gateway() throws IOException {
    upstream = TestUpstream.start();
    JavaArchive userJar =
        ShrinkWrap.create(JavaArchive.class, "user-middleware.jar")
            .addClasses(
                RequestIdMiddleware.class,
                StampMiddleware.class,
                StampMiddleware.First.class,
                StampMiddleware.Second.class,
                FailingMiddleware.class)
            .addPackage(RequestIdMiddleware.class.getPackage())
            .addAsServiceProvider(
                Middleware.class,
                RequestIdMiddleware.class,
                StampMiddleware.First.class,
                StampMiddleware.Second.class,
                FailingMiddleware.class);
    return GatewayArchive.withConfig(
            "ROOT.war",
            """
            routes:
              - path: /users/:id
                target: %1$s
                middleware: [request-id, first, second]
              - path: /reversed
                target: %1$s
                middleware: [second, first]
              - path: /failing
                target: %1$s
                middleware: [first, failing]
              - path: /own-settings
                target: %1$s
                middleware: [request-id]
                request-id:
                  header: X-Trace-Ref
                  trust_client: false
            """
                .formatted(upstream.url()))
        .addAsLibrary(userJar);
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.clear();
  }

  private RawHttp.Response get(String path, String extraHeaders) throws IOException {
    return RawHttp.send(
        base.getPort(),
        "GET " + path + " HTTP/1.1\nHost: gw\n" + extraHeaders + "Connection: close\n\n");
  }

  @Test
  void filtersRunInTheOrderTheRouteListsThem() throws Exception {
    get("/users/1", "");
    assertEquals("first,second", upstream.nextRequest().header(StampMiddleware.HEADER));
    get("/reversed", "");
    assertEquals("second,first", upstream.nextRequest().header(StampMiddleware.HEADER));
  }

  @Test
  void exampleMiddlewareSeesPathParametersAndSetsHeaders() throws Exception {
    RawHttp.Response r = get("/users/42", "X-Request-Id: abc-123\n");
    Received got = upstream.nextRequest();
    assertEquals("42", got.header("X-Route-Param-id"));
    assertEquals("abc-123", got.header("X-Request-Id"));
    assertEquals("abc-123", r.header("X-Request-Id"));
  }

  @Test
  void exampleMiddlewareReplacesAMalformedRequestId() throws Exception {
    RawHttp.Response r = get("/users/42", "X-Request-Id: not valid!\n");
    String id = upstream.nextRequest().header("X-Request-Id");
    assertNotNull(id);
    assertEquals(36, id.length(), "a fresh UUID: " + id);
    assertEquals(id, r.header("X-Request-Id"));
  }

  @Test
  void aRouteOwnBlockOverridesTheExampleDefaults() throws Exception {
    RawHttp.Response r = get("/own-settings", "X-Trace-Ref: abc-123\n");
    String id = upstream.nextRequest().header("X-Trace-Ref");
    assertEquals(36, id.length(), "a fresh UUID, the client's not trusted: " + id);
    assertEquals(id, r.header("X-Trace-Ref"));
  }

  @Test
  void theExampleHeaderIsOwnedOnEveryRoute() throws Exception {
    get("/reversed", "X-Trace-Ref: forged\nX-Request-Id: forged\n");
    Received got = upstream.nextRequest();
    assertNull(got.header("X-Trace-Ref"));
    assertNull(got.header("X-Request-Id"));
  }

  @Test
  void aFailingFilterGivesJson500WithoutDetails() throws Exception {
    RawHttp.Response r = get("/failing", "");
    assertEquals(500, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("{\"error\":\"internal error\"}", r.body());
    assertTrue(upstream.noRequestWithin(200));
  }
}
