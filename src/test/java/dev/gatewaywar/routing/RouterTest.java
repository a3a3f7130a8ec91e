package dev.gatewaywar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.routing.Router.Found;
import dev.gatewaywar.routing.Router.Lookup;
import dev.gatewaywar.routing.Router.MethodNotAllowed;
import dev.gatewaywar.routing.Router.NotFound;
import dev.gatewaywar.routing.Router.Route;
import dev.gatewaywar.testing.Fakes;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

  /** A route whose value is its own pattern text. */
  private static Route<String> route(String pattern, String... methods) {
    return new Route<>(PathPattern.parse(pattern), Set.of(methods), pattern);
  }

  /** A route whose value is {@code name}. */
  private static Route<String> named(String name, String pattern, String... methods) {
    return new Route<>(PathPattern.parse(pattern), Set.of(methods), name);
  }

  @SafeVarargs
  @SuppressWarnings("varargs") // the array is only copied into an immutable list
  private static Router<String> router(Route<String>... routes) {
    return Router.of(List.of(routes));
  }

  private static Lookup<String> find(Router<String> router, String method, String path) {
    try {
      return router.find(RequestPath.parse(path), method);
    } catch (BadPathException e) {
      throw new AssertionError(path + " should parse", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Found<String> found(Lookup<String> l) {
    return assertInstanceOf(Found.class, l, () -> "expected a route, got " + l);
  }

  @SuppressWarnings("unchecked")
  private static MethodNotAllowed<String> notAllowed(Lookup<String> l) {
    return assertInstanceOf(MethodNotAllowed.class, l, () -> "expected 405, got " + l);
  }

  /** The value of the route {@code method path} goes to. */
  private static String routeOf(Router<String> router, String method, String path) {
    return found(find(router, method, path)).route().value();
  }

  private static String routeOf(Router<String> router, String path) {
    return routeOf(router, "GET", path);
  }

  private static void assertNotFound(Router<String> router, String path) {
    Lookup<String> l = find(router, "GET", path);
    assertInstanceOf(NotFound.class, l, path + " gave " + l);
  }

  @Test
  void exactBeatsParamBeatsPrefixWhateverTheOrder() {
    List<Route<String>> routes =
        new ArrayList<>(List.of(route("/users/*"), route("/users/:id"), route("/users/42")));
    for (int i = 0; i < 3; i++) {
      Collections.rotate(routes, 1);
      for (List<Route<String>> order : List.of(routes, reversed(routes))) {
        Router<String> r = Router.of(order);

        assertEquals("/users/42", routeOf(r, "/users/42"), order::toString);
        assertEquals("/users/:id", routeOf(r, "/users/7"), order::toString);
        assertEquals("/users/*", routeOf(r, "/users/7/posts"), order::toString);
        assertEquals("/users/*", routeOf(r, "/users"), order::toString);
      }
    }
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  @Test
  void longestPrefixWins() {
    Router<String> r = router(route("/*"), route("/api/v1/*"), route("/api/*"));

    assertEquals("/api/v1/*", routeOf(r, "/api/v1/users/1"));
    assertEquals("/api/v1/*", routeOf(r, "/api/v1"));
    assertEquals("/api/*", routeOf(r, "/api/v2/users"));
    assertEquals("/api/*", routeOf(r, "/api/v10"));
    assertEquals("/*", routeOf(r, "/other"));
    assertEquals("/*", routeOf(r, "/apiary"));
  }

  @Test
  void prefixMatchesItselfItsSlashAndBelowButNotASiblingName() {
    Router<String> r = router(route("/files/*"));

    assertEquals("/files/*", routeOf(r, "/files"));
    assertEquals("/files/*", routeOf(r, "/files/"));
    assertEquals("/files/*", routeOf(r, "/files/a"));
    assertEquals("/files/*", routeOf(r, "/files/a/b/"));
    assertNotFound(r, "/filesystem");
    assertNotFound(r, "/file");
    assertNotFound(r, "/");
  }

  @Test
  void prefixMatchIsOnTheNormalisedPath() {
    Router<String> r = router(route("/files/*"));

    assertNotFound(r, "/files/../etc/passwd");
    assertEquals("/files/*", routeOf(r, "/static/../files/a"));
  }

  @Test
  void exactPathDoesNotMatchWithATrailingSlash() {
    Router<String> r = router(route("/users"));

    assertEquals("/users", routeOf(r, "/users"));
    assertNotFound(r, "/users/");
    assertNotFound(r, "/users/1");
  }

  @Test
  void exactPatternWithTrailingSlashMatchesOnlyThat() {
    Router<String> r = router(route("/users/"));

    assertEquals("/users/", routeOf(r, "/users/"));
    assertNotFound(r, "/users");
  }

  @Test
  void paramPatternDoesNotMatchWithATrailingSlashOrAnotherDepth() {
    Router<String> r = router(route("/users/:id"));

    assertEquals("/users/:id", routeOf(r, "/users/1"));
    assertNotFound(r, "/users/1/");
    assertNotFound(r, "/users");
    assertNotFound(r, "/users/");
    assertNotFound(r, "/users/1/posts");
  }

  @Test
  void literalSegmentBeatsParamAtTheSameDepth() {
    Router<String> r = router(route("/users/:id/:tab"), route("/users/me/:tab"));

    assertEquals("/users/me/:tab", routeOf(r, "/users/me/posts"));
    assertEquals("/users/:id/:tab", routeOf(r, "/users/you/posts"));
  }

  @Test
  void literalBranchThatFailsFallsBackToParam() {
    Router<String> r = router(route("/a/:y/c"), route("/a/b/:x", "GET"));

    assertEquals("/a/b/:x", routeOf(r, "GET", "/a/b/c"));
    Lookup<String> post = find(r, "POST", "/a/b/c");
    assertEquals("/a/:y/c", found(post).route().value());
    assertEquals(Map.of("y", "b"), found(post).params());
  }

  @Test
  void methodFallsBackToALessSpecificRouteThatAllowsIt() {
    Router<String> r = router(route("/users", "GET"), route("/*", "POST", "GET"));

    assertEquals("/users", routeOf(r, "GET", "/users"));
    assertEquals("/*", routeOf(r, "POST", "/users"));
  }

  @Test
  void samePatternWithDisjointMethodsGoesToTheOneThatAllows() {
    Router<String> r =
        router(named("reader", "/users", "GET", "HEAD"), named("writer", "/users", "POST"));

    assertEquals("reader", routeOf(r, "HEAD", "/users"));
    assertEquals("writer", routeOf(r, "POST", "/users"));
  }

  @Test
  void methodNotAllowedListsTheSortedUnionOfEveryMatchingRoute() {
    Router<String> r =
        router(
            route("/users", "GET"),
            route("/users/:id", "PUT", "DELETE"),
            route("/users/*", "POST"),
            route("/*", "OPTIONS"),
            route("/orders/*", "PATCH"));

    Lookup<String> l = find(r, "PATCH", "/users/1");

    assertEquals(List.of("DELETE", "OPTIONS", "POST", "PUT"), List.copyOf(notAllowed(l).allowed()));
  }

  @Test
  void methodNotAllowedOnAnExactPath() {
    Router<String> r = router(route("/users", "GET"), route("/users", "POST"));

    Lookup<String> l = find(r, "DELETE", "/users");

    assertEquals(List.of("GET", "POST"), List.copyOf(notAllowed(l).allowed()));
  }

  @Test
  void notFoundWhenNoPatternMatches() {
    Router<String> r = router(route("/users", "GET"), route("/files/*"), route("/a/:b"));

    assertNotFound(r, "/orders");
    assertNotFound(r, "/a/b/c");
    assertNotFound(r, "/");
  }

  @Test
  void emptyRouterFindsNothing() {
    assertNotFound(Router.of(List.of()), "/");
    assertNotFound(Router.of(List.of()), "/anything");
  }

  @Test
  void paramsAreBoundAndDecoded() {
    Router<String> r = router(route("/orgs/:org/repos/:repo"));

    Lookup<String> l = find(r, "GET", "/orgs/a%20b/repos/caf%C3%A9%3A1");

    assertEquals(Map.of("org", "a b", "repo", "café:1"), found(l).params());
  }

  @Test
  void exactAndPrefixMatchesHaveNoParams() {
    Router<String> r = router(route("/a"), route("/b/*"));

    assertEquals(Map.of(), found(find(r, "GET", "/a")).params());
    assertEquals(Map.of(), found(find(r, "GET", "/b/c")).params());
  }

  @Test
  void patternsAreMatchedInDecodedForm() {
    Router<String> r = router(route("/café"), route("/a:b"));

    assertEquals("/café", routeOf(r, "/caf%C3%A9"));
    assertEquals("/a:b", routeOf(r, "/a%3Ab"));
  }

  @Test
  void rootExactMatchesOnlyTheRoot() {
    Router<String> r = router(route("/"));

    assertEquals("/", routeOf(r, "/"));
    assertNotFound(r, "/a");
  }

  @Test
  void rootPrefixMatchesEverything() {
    Router<String> r = router(route("/*"));

    assertEquals("/*", routeOf(r, "/"));
    assertEquals("/*", routeOf(r, "/a"));
    assertEquals("/*", routeOf(r, "/a/b/c/"));
  }

  @Test
  void rootExactBeatsRootPrefix() {
    Router<String> r = router(route("/*"), route("/"));

    assertEquals("/", routeOf(r, "/"));
    assertEquals("/*", routeOf(r, "/x"));
  }

  @Test
  void routeMatchTravelsOnTheRequest() throws BadPathException {
    HttpServletRequest request = Fakes.request();
    assertEquals(Optional.empty(), RouteMatch.from(request));

    RouteMatch match =
        new RouteMatch("/users/:id", Map.of("id", "42"), RequestPath.parse("/users/42"));
    match.attachTo(request);

    assertEquals(Optional.of(match), RouteMatch.from(request));
    assertEquals(Optional.of("42"), RouteMatch.from(request).orElseThrow().param("id"));
    assertTrue(RouteMatch.from(request).orElseThrow().param("name").isEmpty());
  }
}
