package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RejectingMiddleware;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Liveness and readiness endpoints, answered before route matching, on an embedded Tomcat. */
class HealthEndpointsTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private TestUpstream upstream;
  private EmbeddedGateway gateway;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private void start(String yaml) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, yaml.replace("UPSTREAM", upstream.url()));
    gateway = EmbeddedGateway.start(WebappDir.withMiddleware(RejectingMiddleware.class), config, 0);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        BodyHandlers.ofString());
  }

  /** The top-level scalar fields of a JSON object, read with Jackson's parser. */
  private static Map<String, String> json(String body) throws Exception {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(body)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        fields.put(name, p.getText());
      }
    }
    return fields;
  }

  private static final String CATCH_ALL_BEHIND_AUTH =
      "routes:\n  - path: /*\n    target: UPSTREAM\n    middleware: [reject]\n";

  @Test
  void livenessAnswersJsonBeforeAnyRoute() throws Exception {
    start(CATCH_ALL_BEHIND_AUTH);

    HttpResponse<String> r = send("GET", "/healthz");

    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("alive", json(r.body()).get("status"));
    assertEquals(true, upstream.noRequestWithin(100));
  }

  @Test
  void readinessSaysReadyWithTheRouteCountOnceServing() throws Exception {
    start(CATCH_ALL_BEHIND_AUTH);

    HttpResponse<String> r = send("GET", "/readyz");

    assertEquals(200, r.statusCode());
    Map<String, String> body = json(r.body());
    assertEquals("ready", body.get("status"));
    assertEquals("1", body.get("routes"));
  }

  @Test
  void otherMethodsGet405WithAllow() throws Exception {
    start(CATCH_ALL_BEHIND_AUTH);

    HttpResponse<String> r = send("POST", "/healthz");

    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
    assertEquals("method not allowed", json(r.body()).get("error"));
  }

  @Test
  void pathsAreConfigurable() throws Exception {
    start(
        """
        health:
          liveness_path: /-/alive
          readiness_path: /-/ready
        routes:
          - path: /*
            target: UPSTREAM
        """);

    assertEquals(200, send("GET", "/-/alive").statusCode());
    assertEquals("ready", json(send("GET", "/-/ready").body()).get("status"));
    assertEquals(200, send("GET", "/healthz").statusCode());
    assertEquals("/healthz", upstream.nextRequest().rawUri(), "the default path is a route again");
  }

  @Test
  void disabledHealthLeavesThePathsToTheRoutes() throws Exception {
    start("health:\n  enabled: false\n" + CATCH_ALL_BEHIND_AUTH);

    assertEquals(401, send("GET", "/healthz").statusCode());
    assertEquals(401, send("GET", "/readyz").statusCode());
  }
}
