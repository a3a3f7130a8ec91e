package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RouteRefusingMiddleware;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The embedded runner behind {@code java -jar gateway.war}. */
class EmbeddedGatewayTest {
  @TempDir Path dir;
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.close();
  }

  private Path config(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void servesTheConfiguredRoutes() throws Exception {
    Path config = config("routes:\n  - path: /api/*\n    target: " + upstream.url() + "\n");
    try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), config, 0)) {
      RawHttp.Response r =
          RawHttp.send(gateway.port(), "GET /api/x?y=1 HTTP/1.1\nHost: gw\nConnection: close\n\n");
      assertEquals(200, r.status());
      assertEquals("/api/x?y=1", upstream.nextRequest().rawUri());
    }
  }

  @Test
  void encodedSlashIsRejectedWithJson400() throws Exception {
    Path config = config("routes:\n  - path: /api/*\n    target: " + upstream.url() + "\n");
    try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), config, 0)) {
      RawHttp.Response r =
          RawHttp.send(gateway.port(), "GET /api/a%2Fb HTTP/1.1\nHost: gw\nConnection: close\n\n");
      assertEquals(400, r.status());
      assertEquals("{\"error\":\"bad request\"}", r.body());
      assertTrue(upstream.noRequestWithin(200));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /x HTTP/1.1\nHost: gw\nX-Big: %s\nConnection: close\n\n",
        "GET /a{b HTTP/1.1\nHost: gw\nConnection: close\n\n",
        "GET /a\u0001b HTTP/1.1\nHost: gw\nConnection: close\n\n",
        "G(T /x HTTP/1.1\nHost: gw\nConnection: close\n\n",
        "GET /x HTTP/1.1\nHost: gw\nBad Header: x\nConnection: close\n\n",
        "GET /x HTTP/2.0\nHost: gw\nConnection: close\n\n"
      })
  @Timeout(30)
  void requestsTheContainerRefusesGetJsonWithoutInternals(String request) throws Exception {
    Path config = config("routes:\n  - path: /*\n    target: " + upstream.url() + "\n");
    try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), config, 0)) {
      RawHttp.Response r = RawHttp.send(gateway.port(), request.formatted("a".repeat(9000)));

      assertTrue(r.status() == 400 || r.status() == 505, "status " + r.status());
      assertEquals("application/json", r.header("Content-Type"));
      assertTrue(r.body().matches("\\{\"error\":\"[a-z ]+\"\\}"), r.body());
      assertNull(r.header("Server"), "no Server header");
      assertTrue(upstream.noRequestWithin(100));
    }
  }

  @Test
  @Timeout(30)
  void http09RequestIsNotProxied() throws Exception {
    Path config = config("routes:\n  - path: /*\n    target: " + upstream.url() + "\n");
    try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write("GET /x\r\n".getBytes(StandardCharsets.ISO_8859_1));
      // HTTP/0.9 has no status line: the answer is the body, until the server closes
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertEquals("{\"error\":\"http version not supported\"}", answer);
      assertTrue(upstream.noRequestWithin(200));
    }
  }

  @Test
  void badConfigKeepsTheWebappFromStarting() throws Exception {
    Path config =
        config(
            "routes:\n  - path: /api/*\n    target: " + upstream.url() + "\n    midleware: []\n");
    assertThrows(
        IllegalStateException.class, () -> EmbeddedGateway.start(WebappDir.create(), config, 0));
  }

  @Test
  void unknownMiddlewareKeepsTheWebappFromStarting() throws Exception {
    Path config =
        config(
            "routes:\n  - path: /api/*\n    target: "
                + upstream.url()
                + "\n    middleware: [ratelimitt]\n");
    assertThrows(
        IllegalStateException.class, () -> EmbeddedGateway.start(WebappDir.create(), config, 0));
  }

  @Test
  void aMiddlewareRefusingItsRouteKeepsTheWebappFromStartingAndLeavesNoUpstreamThread()
      throws Exception {
    Path config =
        config(
            "routes:\n  - path: /api/*\n    target: "
                + upstream.url()
                + "\n    middleware: [refuse-route]\n");
    Set<Thread> before = upstreamThreads();

    assertThrows(
        IllegalStateException.class,
        () ->
            EmbeddedGateway.start(
                WebappDir.withMiddleware(RouteRefusingMiddleware.class), config, 0));

    assertEquals(before, upstreamThreads(), "the upstream client was closed again");
  }

  private static Set<Thread> upstreamThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("gateway-upstream-") && t.isAlive())
        .collect(Collectors.toSet());
  }

  @Test
  void requestsRunOnVirtualThreadsWhereTheJvmHasThem() {
    assertEquals(Runtime.version().feature() >= 21, EmbeddedGateway.useVirtualThreads("auto"));
    assertEquals(false, EmbeddedGateway.useVirtualThreads("platform"));
  }

  @Test
  void askingForVirtualThreadsBeforeJava21FailsAtStart() {
    if (Runtime.version().feature() >= 21) {
      assertTrue(EmbeddedGateway.useVirtualThreads("virtual"));
    } else {
      assertThrows(
          IllegalArgumentException.class, () -> EmbeddedGateway.useVirtualThreads("virtual"));
    }
  }

  @Test
  void unknownThreadModelIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> EmbeddedGateway.useVirtualThreads("green"));
  }
}
