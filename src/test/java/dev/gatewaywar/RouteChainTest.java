package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.testing.Fakes;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteChainTest {
  private final List<String> trace = new ArrayList<>();
  private final HttpServletRequest request = Fakes.request();
  private final HttpServletResponse response = new Fakes.Response().asServletResponse();
  private final FilterChain terminal = (req, res) -> trace.add("terminal");

  /** A filter that notes its name, goes on, and notes when the rest of the chain returned. */
  private Filter passing(String name) {
    return (req, res, chain) -> {
      trace.add(name);
      chain.doFilter(req, res);
      trace.add("/" + name);
    };
  }

  private void run(Filter... filters) throws IOException, ServletException {
    RouteChain.run(filters, terminal, request, response);
  }

  @Test
  void filtersRunInOrderThenTheTerminal() throws Exception {
    run(passing("a"), passing("b"), passing("c"));

    assertEquals(List.of("a", "b", "c", "terminal", "/c", "/b", "/a"), trace);
  }

  @Test
  void noFiltersGoesStraightToTheTerminal() throws Exception {
    run();

    assertEquals(List.of("terminal"), trace);
  }

  @Test
  void filterThatAnswersItselfStopsTheChain() throws Exception {
    Filter answering = (req, res, chain) -> trace.add("answered");

    run(passing("a"), answering, passing("c"));

    assertEquals(List.of("a", "answered", "/a"), trace);
  }

  @Test
  void filterThatThrowsStopsTheChainAndTheExceptionReachesTheCaller() {
    GatewayException denied = new GatewayException(GatewayError.MISSING_TOKEN);
    Filter throwing =
        (req, res, chain) -> {
          throw denied;
        };

    GatewayException e = assertThrows(GatewayException.class, () -> run(passing("a"), throwing));

    assertSame(denied, e);
    assertEquals(List.of("a"), trace);
  }

  @Test
  void filterCallingDoFilterTwiceGetsIllegalStateException() {
    Filter twice =
        new Filter() {
          @Override
          public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
              throws IOException, ServletException {
            chain.doFilter(req, res);
            chain.doFilter(req, res);
          }
        };

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> run(passing("a"), twice, passing("c")));

    assertEquals(List.of("a", "c", "terminal", "/c"), trace, "the upstream is reached only once");
    assertTrue(e.getMessage().contains(twice.getClass().getName()), e.getMessage());
    assertTrue(e.getMessage().contains("more than once"), e.getMessage());
  }

  @Test
  void lastFilterCallingDoFilterTwiceNeverReachesTheTerminalTwice() {
    Filter twice =
        (req, res, chain) -> {
          chain.doFilter(req, res);
          chain.doFilter(req, res);
        };

    assertThrows(IllegalStateException.class, () -> run(twice));

    assertEquals(List.of("terminal"), trace);
  }

  @Test
  void filtersSeeTheRequestAndResponseTheyWereGiven() throws Exception {
    List<Object> seen = new ArrayList<>();
    Filter recording =
        (req, res, chain) -> {
          seen.add(req);
          seen.add(res);
          chain.doFilter(req, res);
        };

    RouteChain.run(
        new Filter[] {recording},
        (req, res) -> {
          seen.add(req);
          seen.add(res);
        },
        request,
        response);

    assertEquals(List.of(request, response, request, response), seen);
  }
}
