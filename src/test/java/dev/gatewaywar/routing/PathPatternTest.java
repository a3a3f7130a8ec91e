package dev.gatewaywar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.routing.PathPattern.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

  @Test
  void exactPattern() {
    PathPattern p = PathPattern.parse("/users");

    assertEquals(Kind.EXACT, p.kind());
    assertEquals(List.of("users"), p.segments());
    assertFalse(p.trailingSlash());
    assertEquals("/users", p.text());
  }

  @Test
  void exactPatternWithTrailingSlash() {
    PathPattern p = PathPattern.parse("/users/");

    assertEquals(Kind.EXACT, p.kind());
    assertTrue(p.trailingSlash());
  }

  @Test
  void paramPattern() {
    PathPattern p = PathPattern.parse("/orgs/:org/repos/:repo_1");

    assertEquals(Kind.PARAM, p.kind());
    assertEquals(List.of("orgs", ":org", "repos", ":repo_1"), p.segments());
  }

  @Test
  void prefixPattern() {
    PathPattern p = PathPattern.parse("/files/*");

    assertEquals(Kind.PREFIX, p.kind());
    assertEquals(List.of("files"), p.segments());
    assertEquals("/files/*", p.toString());
  }

  @Test
  void rootAndRootPrefix() {
    assertEquals(Kind.EXACT, PathPattern.parse("/").kind());
    assertEquals(List.of(), PathPattern.parse("/").segments());
    assertEquals(Kind.PREFIX, PathPattern.parse("/*").kind());
    assertEquals(List.of(), PathPattern.parse("/*").segments());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "users",
        "",
        "/a/*/b",
        "/a/:",
        "/a/:x/:x",
        "/a//b",
        "//",
        "/a/*x",
        "/a/x*",
        "/a/:x/*",
        "/a/:1x",
        "/a/:x-y",
        "/files/*/",
        "/a/../b",
        "/a/./b",
        "/a?b",
        "/a#b",
        "/a%2Fb",
        "/a b",
        "/a\\b"
      })
  void malformedPatternIsRejected(String text) {
    assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(text), text);
  }

  @Test
  void nullPatternIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(null));
  }

  @Test
  void parameterNamesDoNotChangeTheShape() {
    assertEquals(PathPattern.parse("/users/:id").shape(), PathPattern.parse("/users/:uid").shape());
  }

  @Test
  void kindsAndSlashesChangeTheShape() {
    List<String> distinct =
        List.of("/", "/*", "/users", "/users/", "/users/*", "/users/:id", "/users/:id/");
    for (String a : distinct) {
      for (String b : distinct) {
        if (!a.equals(b)) {
          assertNotEquals(
              PathPattern.parse(a).shape(), PathPattern.parse(b).shape(), a + " vs " + b);
        }
      }
    }
  }
}
