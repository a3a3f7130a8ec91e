package dev.gatewaywar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

  private static String decoded(String raw) throws BadPathException {
    return RequestPath.parse(raw).decoded();
  }

  private static void assertRejected(String raw) {
    assertThrows(BadPathException.class, () -> RequestPath.parse(raw), raw);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/a/../b, /b",
    "//b, /b",
    "/a//b, /a/b",
    "/a/%2e%2e/b, /b",
    "/a/%2E%2E/b, /b",
    "/a/.%2e/b, /b",
    "/a/./b, /a/b",
    "/a/%2e/b, /a/b",
    "/a/b/.., /a/",
    "/a/., /a/",
    "/a/.., /",
    "/., /",
    "/, /",
    "/users/, /users/",
    "/a/b/../../c, /c",
  })
  void dotAndEmptySegmentsAreResolved(String raw, String expected) throws BadPathException {
    assertEquals(expected, decoded(raw));
  }

  @Test
  void trailingSlashIsKept() throws BadPathException {
    RequestPath slash = RequestPath.parse("/users/");
    RequestPath bare = RequestPath.parse("/users");

    assertNotEquals(bare.decoded(), slash.decoded());
    assertTrue(slash.trailingSlash());
    assertFalse(bare.trailingSlash());
    assertEquals(slash.segments(), bare.segments());
    assertFalse(RequestPath.parse("/").trailingSlash());
  }

  @Test
  void rootHasNoSegments() throws BadPathException {
    assertEquals(List.of(), RequestPath.parse("/").segments());
    assertEquals("/", RequestPath.parse("/").raw());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/..", "/a/../..", "/../a", "/a/%2e%2e/%2e%2e/b", "/%2e%2e"})
  void climbingAboveTheRootIsRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a%2Fb", "/a%2fb", "/a%5Cb", "/a%5cb", "/a\\b", "/a%00b", "/%2F"})
  void encodedSlashBackslashAndNulAreRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a%zz", "/a%4", "/a%4/b", "/%", "/a%g0", "/a%0g"})
  void malformedPercentEscapeIsRejected(String raw) {
    assertRejected(raw);
  }

  @Test
  void percentEscapeDigitsMustBeAscii() {
    // Character.digit accepts fullwidth and other scripts' digits; '%' must be followed by two
    // ASCII hex digits (RFC 3986 section 2.1), or routing and the upstream see different paths.
    assertRejected("/%\uFF14\uFF11");
    assertRejected("/%\u0664\u0661");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%ff", "/%C3", "/%C3%28", "/%E2%82", "/%C0%AF"})
  void invalidUtf8IsRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a/..;x/b", "/a/.;x/b", "/a/%2e%2e;x", "/..;/a"})
  void dotSegmentWithPathParametersIsRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/admin;jsessionid=x/x", "/a;/b", "/;x/a", "/a/b;x", "/a;x=1;y=2/b"})
  void pathParametersAreRejectedByDefault(String raw) {
    assertRejected(raw);
    assertThrows(BadPathException.class, () -> RequestPath.parse(raw, PathParameters.REJECT));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/admin;jsessionid=x/x, /admin/x",
    "/a;/b, /a/b",
    "/;x/a, /a",
    "/a/b;x, /a/b",
    "/a;x=1;y=2/b, /a/b",
    "/a/..;x/b, /b",
    "/a/.;x/b, /a/b",
    "/a/b/..;, /a/",
  })
  void strippedParametersLeaveTheSamePathForRoutingAndTheUpstream(String raw, String expected)
      throws BadPathException {
    RequestPath p = RequestPath.parse(raw, PathParameters.STRIP);

    assertEquals(expected, p.decoded());
    assertEquals(expected, p.raw());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a%3Bx/b", "/a%3bx", "/..%3b/a", "/a/%3B"})
  void encodedSemicolonIsRejectedInEitherMode(String raw) {
    assertRejected(raw);
    assertThrows(BadPathException.class, () -> RequestPath.parse(raw, PathParameters.STRIP));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%2561dmin", "/a/%252e%252e/b", "/a%252fb", "/%25%34%31", "/x%2500"})
  void doubleEncodedCharactersAreRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"/100%25, /100%", "/a%25zz, /a%zz", "/a%25, /a%", "/%25g1, /%g1"})
  void anEncodedPercentThatStartsNoEscapeIsKept(String raw, String expected)
      throws BadPathException {
    assertEquals(expected, decoded(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a%09b", "/a%0d%0a", "/a%7F", "/a%1b", "/a\u0001b"})
  void controlCharactersAreRejected(String raw) {
    assertRejected(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "*", "http://h/a"})
  void pathNotStartingWithSlashIsRejected(String raw) {
    assertRejected(raw);
  }

  @Test
  void rawFormKeepsPercentEncodingByteForByte() throws BadPathException {
    RequestPath p = RequestPath.parse("/a%3Ab/c%3ad/%7Euser");

    assertEquals("/a%3Ab/c%3ad/%7Euser", p.raw());
    assertEquals("/a:b/c:d/~user", p.decoded());
    assertEquals(List.of("a:b", "c:d", "~user"), p.segments());
  }

  @Test
  void rawFormIsNormalisedLikeTheDecodedOne() throws BadPathException {
    RequestPath p = RequestPath.parse("/x%3A//y/./%2e%2e/z%20w/");

    assertEquals("/x%3A/z%20w/", p.raw());
    assertEquals("/x:/z w/", p.decoded());
  }

  @Test
  void utf8IsDecoded() throws BadPathException {
    assertEquals("/café", decoded("/caf%C3%A9"));
  }

  @Test
  void rawUtf8BytesDecodeLikeTheirEscapes() throws BadPathException {
    // containers hand raw request-target bytes over as ISO-8859-1 chars: "é" is C3 A9
    assertEquals("/café", decoded("/caf\u00C3\u00A9"));
    assertEquals("/café ", decoded("/caf\u00C3\u00A9%20"));
  }

  @Test
  void rawBytesThatAreNotUtf8AreRejected() {
    assertThrows(BadPathException.class, () -> RequestPath.parse("/caf\u00E9"));
  }

  @Test
  void plusIsNotASpace() throws BadPathException {
    assertEquals("/a+b", decoded("/a+b"));
  }
}
