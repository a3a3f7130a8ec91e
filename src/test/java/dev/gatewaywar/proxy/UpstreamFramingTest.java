package dev.gatewaywar.proxy;

import static dev.gatewaywar.testing.RawUpstream.crlf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RawUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the client gets when an upstream's answer is badly framed or oversized: the framing the
 * gateway relays is the one it read the body with (RFC 9112 section 6.3), and an answer whose
 * framing is ambiguous or whose head is over a limit is a JSON 502, never relayed. The upstream is
 * a raw socket writing exactly the bytes of each case; the gateway is an embedded Tomcat with the
 * default limits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamFramingTest {
  private static final String OK = "HTTP/1.1 200 OK\nConnection: close\n";
  private static final Map<String, byte[]> ANSWERS = new HashMap<>();

  static {
    ANSWERS.put(
        "/te-and-cl",
        crlf(OK + "Content-Length: 100\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n"));
    ANSWERS.put(
        "/folded-te-and-cl",
        crlf(OK + "Content-Length: 100\nTransfer-Encoding:\n chunked\n\n5\nhello\n0\n\n"));
    ANSWERS.put("/gzip-chunked", crlf(OK + "Transfer-Encoding: gzip, chunked\n\n5\nhello\n0\n\n"));
    ANSWERS.put("/cl-list-same", crlf(OK + "Content-Length: 5, 5\n\nhello"));
    ANSWERS.put("/cl-list-differ", crlf(OK + "Content-Length: 5, 6\n\nhello"));
    ANSWERS.put("/cl-twice-same", crlf(OK + "Content-Length: 5\nContent-Length: 5\n\nhello"));
    ANSWERS.put("/cl-twice-differ", crlf(OK + "Content-Length: 5\nContent-Length: 6\n\nhello"));
    ANSWERS.put("/cl-plus", crlf(OK + "Content-Length: +5\n\nhello"));
    ANSWERS.put("/cl-minus-zero", crlf(OK + "Content-Length: -0\n\n"));
    ANSWERS.put("/cl-spaces", crlf(OK + "Content-Length:    5   \n\nhello"));
    ANSWERS.put("/head-cl", crlf(OK + "Content-Length: 100\n\n"));
    ANSWERS.put("/head-cl-list", crlf(OK + "Content-Length: 1, 2\n\n"));
    ANSWERS.put("/head-cl-plus", crlf(OK + "Content-Length: +100\n\n"));
    ANSWERS.put(
        "/head-te-and-cl", crlf(OK + "Content-Length: 100\nTransfer-Encoding: chunked\n\n"));
    ANSWERS.put("/folded", crlf(OK + "X-Folded: one\n  two\nContent-Length: 5\n\nhello"));
    ANSWERS.put("/no-colon", crlf(OK + "X-No-Colon\nContent-Length: 5\n\nhello"));
    ANSWERS.put(
        "/space-before-colon",
        crlf(OK + "Transfer-Encoding : chunked\nContent-Length: 100\n\n5\nhello\n0\n\n"));
    ANSWERS.put(
        "/bare-lf",
        "HTTP/1.1 200 OK\nConnection: close\nContent-Length: 5\n\nhello"
            .getBytes(StandardCharsets.ISO_8859_1));
    ANSWERS.put(
        "/informational-flood",
        crlf("HTTP/1.1 102 Processing\n\n".repeat(2_000) + OK + "Content-Length: 5\n\nhello"));
    ANSWERS.put("/headers-at-limit", crlf(OK + headers(98, 10) + "Content-Length: 5\n\nhello"));
    ANSWERS.put("/headers-over-limit", crlf(OK + headers(99, 10) + "Content-Length: 5\n\nhello"));
    ANSWERS.put("/line-over-limit", crlf(OK + "X-Long: " + "a".repeat(8 * 1024) + "\n\n"));
    // each line well under 8 KiB and fewer than 100 of them, together over 64 KiB
    ANSWERS.put("/head-over-limit", crlf(OK + headers(60, 1_200) + "Content-Length: 5\n\nhello"));
    ANSWERS.put("/head-near-limit", crlf(OK + headers(40, 100) + "Content-Length: 5\n\nhello"));
  }

  @TempDir static Path dir;
  private static RawUpstream upstream;
  private static EmbeddedGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = RawUpstream.start(UpstreamFramingTest::answer);
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, "routes:\n  - path: /*\n    target: " + upstream.url() + "\n");
    gateway = EmbeddedGateway.start(WebappDir.create(), config, 0);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  private static void answer(String requestLine, OutputStream out) throws IOException {
    String path = requestLine.split(" ")[1];
    switch (path) {
      case "/endless-headers" -> flood(out, crlf(OK), i -> "X-Flood-" + i + ": " + "f".repeat(64));
      case "/endless-folding" ->
          flood(out, crlf(OK + "X-Folded: start\n"), i -> "\t" + "f".repeat(64));
      case "/endless-status-line" -> flood(out, crlf("HTTP/1.1 200 "), i -> "reason");
      case "/informational-then-flood" ->
          flood(out, crlf("HTTP/1.1 103 Early Hints\n"), i -> "Link: </" + i + ">; rel=preload");
      default -> out.write(ANSWERS.get(path));
    }
  }

  /** Writes {@code start}, then lines made by {@code line} until the gateway hangs up. */
  private static void flood(
      OutputStream out, byte[] start, java.util.function.IntFunction<String> line)
      throws IOException {
    out.write(start);
    for (int i = 0; ; i++) {
      out.write(crlf(line.apply(i) + "\n"));
    }
  }

  private static String headers(int count, int valueLength) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      b.append("X-Filler-").append(i).append(": ").append("v".repeat(valueLength)).append('\n');
    }
    return b.toString();
  }

  private static RawHttp.Response get(String path) throws IOException {
    return send("GET", path);
  }

  private static RawHttp.Response send(String method, String path) throws IOException {
    return RawHttp.send(
        gateway.port(), method + " " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  /** The upstream's 200 with its body {@code hello} reached the client. */
  private static RawHttp.Response assertHello(RawHttp.Response r) {
    assertEquals(200, r.status(), () -> r.headers().toString());
    assertEquals("hello", r.body());
    return r;
  }

  private static void assertBadGatewayJson(RawHttp.Response r) {
    assertEquals(502, r.status(), r::body);
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("{\"error\":\"bad gateway\"}", r.body());
  }

  // --- framing ---------------------------------------------------------------------------------

  /**
   * The cases: both headers; the encoding folded onto a second line (HttpCore unfolds it); a space
   * before its colon (RFC 9112 section 5.1: a proxy removes it, and the name is read as written).
   */
  @ParameterizedTest
  @ValueSource(strings = {"/te-and-cl", "/folded-te-and-cl", "/space-before-colon"})
  void transferEncodingWinsAndTheContentLengthBesideItIsNotRelayed(String path) throws Exception {
    RawHttp.Response r = assertHello(get(path));

    assertNull(r.header("Content-Length"), "a length the body does not have desyncs the client");
    assertEquals("chunked", r.header("Transfer-Encoding"));
  }

  @Test
  void responseToHeadKeepsItsDeclaredLength() throws Exception {
    RawHttp.Response r = send("HEAD", "/head-cl");

    assertEquals(200, r.status());
    assertEquals("100", r.header("Content-Length"));
    assertEquals("", r.body());
  }

  @Test
  void responseToHeadWithTransferEncodingRelaysNoLength() throws Exception {
    RawHttp.Response r = send("HEAD", "/head-te-and-cl");

    assertEquals(200, r.status());
    assertFalse("100".equals(r.header("Content-Length")), () -> r.headers().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/head-cl-list", "/head-cl-plus"})
  void responseToHeadWithAnInvalidLengthIs502(String path) throws Exception {
    // no body is read for a HEAD, so HttpCore never checks its length: the gateway must
    RawHttp.Response r = send("HEAD", path);

    assertEquals(502, r.status());
    assertEquals("application/json", r.header("Content-Type"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/cl-list-same",
        "/cl-list-differ",
        "/cl-twice-same",
        "/cl-twice-differ",
        "/cl-plus",
        "/cl-minus-zero",
        "/gzip-chunked",
        "/no-colon"
      })
  void ambiguousOrInvalidFramingIs502Json(String path) throws Exception {
    assertBadGatewayJson(get(path));
  }

  @Test
  void contentLengthWithSpacesAroundItIsValid() throws Exception {
    RawHttp.Response r = assertHello(get("/cl-spaces"));

    assertEquals("5", r.header("Content-Length"));
  }

  @Test
  void foldedHeaderIsRelayedOnOneLine() throws Exception {
    RawHttp.Response r = assertHello(get("/folded"));

    assertEquals("one two", r.header("X-Folded"));
  }

  /**
   * Answers within the rules: bare line feeds as line ends (RFC 9112 section 2.2 allows it), two
   * thousand 102s before the answer (none relayed), exactly as many headers as the limit allows.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/bare-lf", "/informational-flood", "/headers-at-limit"})
  void answersWithinTheRulesPass(String path) throws Exception {
    assertHello(get(path));
  }

  // --- response-head limits ---------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/headers-over-limit",
        "/line-over-limit",
        "/head-over-limit",
        "/endless-headers",
        "/endless-folding",
        "/endless-status-line",
        "/informational-then-flood"
      })
  void headOverALimitIs502Json(String path) throws Exception {
    assertBadGatewayJson(get(path));
  }

  @Test
  void headUnderTheTotalLimitPasses() throws Exception {
    RawHttp.Response r = get("/head-near-limit");

    assertEquals(200, r.status());
    assertEquals(40, countFillers(r.headers()));
  }

  private static long countFillers(List<String[]> headers) {
    return headers.stream().filter(h -> h[0].startsWith("X-Filler-")).count();
  }
}
