package dev.gatewaywar.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.Fakes;
import dev.gatewaywar.testing.JsonObjects;
import dev.gatewaywar.testing.TestLoaders;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Readiness follows the gateway's life: not ready before serving and once stopping. */
class BuiltInEndpointsTest {

  private static HttpServletRequest get() {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            BuiltInEndpointsTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (p, method, args) ->
                switch (method.getName()) {
                  case "getMethod" -> "GET";
                  case "getRemoteAddr" -> "127.0.0.1";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static BuiltInEndpoints endpoints(Readiness readiness) throws Exception {
    GatewayConfig config =
        new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, name -> null).parse("routes: []\n", "test");
    return BuiltInEndpoints.of(config, GatewayMetrics.create(), readiness);
  }

  private static Fakes.Response ask(BuiltInEndpoints endpoints, String path) throws Exception {
    Fakes.Response response = new Fakes.Response();
    assertTrue(endpoints.serve(path, get(), response.asServletResponse()));
    return response;
  }

  @Test
  void readinessIs503UntilServingAndAgainOnceStopping() throws Exception {
    Readiness readiness = new Readiness();
    BuiltInEndpoints endpoints = endpoints(readiness);

    Fakes.Response before = ask(endpoints, "/readyz");
    readiness.serving();
    Fakes.Response serving = ask(endpoints, "/readyz");
    readiness.stopping();
    Fakes.Response stopping = ask(endpoints, "/readyz");

    assertEquals(503, before.status());
    assertEquals("not ready", JsonObjects.parse(before.bodyText()).get("status"));
    assertEquals(200, serving.status());
    assertEquals("ready", JsonObjects.parse(serving.bodyText()).get("status"));
    assertEquals(503, stopping.status());
    assertEquals(200, ask(endpoints, "/healthz").status(), "alive while stopping");
  }

  @Test
  void otherPathsAndADisabledMetricsEndpointGoOnToRouting() throws Exception {
    BuiltInEndpoints endpoints = endpoints(new Readiness());
    Fakes.Response response = new Fakes.Response();

    assertFalse(endpoints.serve("/metrics", get(), response.asServletResponse()));
    assertFalse(endpoints.serve("/healthz/", get(), response.asServletResponse()));
    assertFalse(endpoints.serve("/users", get(), response.asServletResponse()));
  }
}
