package dev.gatewaywar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathRewriteTest {
  private static String apply(PathRewrite rewrite, String rawPath) throws BadPathException {
    return rewrite.apply(RequestPath.parse(rawPath));
  }

  private static PathRewrite strip(String pattern, String prefix) {
    return PathRewrite.stripPrefix(PathPattern.parse(pattern), prefix);
  }

  private static PathRewrite template(String pattern, String template) {
    return PathRewrite.template(PathPattern.parse(pattern), template);
  }

  @ParameterizedTest
  @CsvSource({
    "/api/x/y, /x/y",
    "/api, /",
    "/api/, /",
    "/api/x/, /x/",
    "/api/a%20b/%C3%A9, /a%20b/%C3%A9",
    "//api//x/./y, /x/y",
  })
  void stripPrefixTakesTheLeadingSegmentsOff(String request, String upstream) throws Exception {
    assertEquals(upstream, apply(strip("/api/*", "/api"), request));
  }

  @Test
  void stripPrefixOfSeveralSegmentsAndOnAParamRoute() throws Exception {
    assertEquals("/7", apply(strip("/api/v1/users/:id", "/api/v1/users"), "/api/v1/users/7"));
    assertEquals("/users/7", apply(strip("/api/v1/users/:id", "/api/v1"), "/api/v1/users/7"));
  }

  @Test
  void stripPrefixSendsItsPrefixAsForwardedPrefix() {
    assertEquals(Optional.of("/api"), strip("/api/*", "/api").forwardedPrefix());
    assertEquals(Optional.of("/caf%C3%A9"), strip("/café/*", "/café").forwardedPrefix());
    assertEquals(Optional.empty(), template("/api/*", "/v2/:rest").forwardedPrefix());
    assertEquals(Optional.empty(), PathRewrite.NONE.forwardedPrefix());
  }

  @ParameterizedTest
  @CsvSource({
    "/api/*, /ap",
    "/api/*, /api/",
    "/api/*, /apix",
    "/api/*, /other",
    "/api/*, /api/x",
    "/api/*, /",
    "/users/:id, /users/:id",
    "/api/*, /api/*",
    "/api/*, api",
  })
  void stripPrefixMustBeWholeLiteralLeadingSegments(String pattern, String prefix) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> strip(pattern, prefix));
    assertTrue(e.getMessage().contains(prefix), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "/api/a/b, /v2/a/b",
    "/api/a%20b/%25/%C3%A9/x+y, /v2/a%20b/%25/%C3%A9/x+y",
    "/api, /v2/",
    "/api/, /v2/",
    "/api/a/, /v2/a/",
  })
  void restIsWhatFollowsThePrefixRawAndWithoutItsSlash(String request, String upstream)
      throws Exception {
    assertEquals(upstream, apply(template("/api/*", "/v2/:rest"), request));
  }

  @Test
  void restOfTheRootPrefixIsTheWholePath() throws Exception {
    PathRewrite r = template("/*", "/base/:rest");
    assertEquals("/base/a/b", apply(r, "/a/b"));
    assertEquals("/base/", apply(r, "/"));
  }

  @Test
  void paramsAreTheirRawSegmentsInAnyOrder() throws Exception {
    PathRewrite r = template("/users/:id/posts/:post", "/p/:post/by/:id-x/:id");
    assertEquals("/p/%C3%A9/by/a%20b-x/a%20b", apply(r, "/users/a%20b/posts/%C3%A9"));
  }

  @Test
  void literalOnlyTemplateSendsEveryRequestToOnePath() throws Exception {
    assertEquals("/status", apply(template("/health", "/status"), "/health"));
  }

  @Test
  void noneKeepsThePath() throws Exception {
    assertEquals("/a%20b/c", apply(PathRewrite.NONE, "/a%20b/c"));
  }

  @ParameterizedTest
  @CsvSource({
    "/users/:id, /u/:name, ':name' is not a parameter",
    "/users/:id, /u/:rest, ':rest' needs a prefix path",
    "/api, /v2/:rest, ':rest' needs a prefix path",
    "/api/*, v2/:rest, must start with '/'",
    "/api/*, /v2/:, must start a parameter name",
    "/api/*, /v2/a b, character ' '",
    "/api/*, /v2/é, character 'é'",
    "/api/*, /v2/?x=1, character '?'",
    "/api/*, /v2/%zz, character '%'",
  })
  void badTemplatesAreRefusedAtLoad(String pattern, String template, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> template(pattern, template));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
