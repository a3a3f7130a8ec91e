package dev.gatewaywar.operations.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import dev.gatewaywar.operations.RouteStatus;
import dev.gatewaywar.operations.TargetStatus;
import dev.gatewaywar.operations.TargetStatus.CircuitState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The page for states a live gateway reaches only by timing: breakers open and half-open. */
class StatusHtmlTest {
  private static final Instant AT = Instant.parse("2026-12-03T10:15:30.123Z");

  private static GatewayStatus fixed(ConfigStatus config, List<RouteStatus> routes) {
    return new GatewayStatus() {
      @Override
      public ConfigStatus config() {
        return config;
      }

      @Override
      public List<RouteStatus> routes() {
        return routes;
      }

      @Override
      public ReloadResult reload() {
        throw new UnsupportedOperationException("the page never reloads");
      }
    };
  }

  private static TargetStatus target(String url, boolean healthy, CircuitState circuit) {
    return new TargetStatus(url, true, healthy, circuit, OptionalInt.of(0));
  }

  @Test
  void eachTargetStateHasItsColourClass() {
    RouteStatus route =
        new RouteStatus(
            "/pool/*",
            List.of(),
            List.of("metrics"),
            List.of(
                target("http://a:1", true, CircuitState.CLOSED),
                target("http://b:1", false, CircuitState.CLOSED),
                target("http://c:1", true, CircuitState.OPEN),
                target("http://d:1", true, CircuitState.HALF_OPEN)),
            Optional.of(new RouteStatus.Counts(12, 3, 1)));
    String html =
        StatusHtml.render(
            fixed(new ConfigStatus("/etc/g.yaml", "ab", AT, 1, Optional.empty()), List.of(route)),
            "/_gateway/api");
    assertTrue(html.contains("<li class=\"target up\" data-state=\"up\" data-url=\"http://a:1\""));
    assertTrue(
        html.contains("<li class=\"target down\" data-state=\"down\" data-url=\"http://b:1\""));
    assertTrue(
        html.contains("<li class=\"target open\" data-state=\"open\" data-url=\"http://c:1\""));
    assertTrue(
        html.contains(
            "<li class=\"target half-open\" data-state=\"half-open\" data-url=\"http://d:1\""));
    assertTrue(html.contains(".half-open .dot{background:#d4a72c}"), "amber");
    assertTrue(html.contains("<td class=\"num\">12</td><td class=\"num\">3</td>"));
    assertTrue(html.contains("2026-12-03T10:15:30Z"), "loaded at, to the second");
  }

  @Test
  void aRouteWithoutCountsAndAFailedReload() {
    RouteStatus route =
        new RouteStatus(
            "/x",
            List.of("GET"),
            List.of(),
            List.of(
                new TargetStatus(
                    "http://x:1", false, true, CircuitState.CLOSED, OptionalInt.empty())),
            Optional.empty());
    String html =
        StatusHtml.render(
            fixed(
                new ConfigStatus(
                    "/etc/g.yaml",
                    "ab",
                    AT,
                    1,
                    Optional.of(ReloadResult.failed(AT, "line 3: routes: <broken>"))),
                List.of(route)),
            "/ctx/_gateway/api");
    assertTrue(html.contains("<td>GET</td><td>\u2014</td>"), "no middleware: " + html);
    assertEquals(
        3, html.split("<td class=\"num\">\u2014</td>", -1).length - 1, "no counts: " + html);
    assertTrue(html.contains("line 3: routes: &lt;broken&gt;"), html);
    assertFalse(html.contains("<broken>"));
    assertTrue(html.contains("href=\"/ctx/_gateway/api\""));
  }
}
