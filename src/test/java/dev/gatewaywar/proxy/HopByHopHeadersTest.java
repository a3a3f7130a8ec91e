package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HopByHopHeadersTest {
  private static final HopByHopHeaders NO_CONNECTION_HEADER = HopByHopHeaders.of(List.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade"
      })
  void standardHopByHopHeadersAreDropped(String name) {
    assertTrue(NO_CONNECTION_HEADER.contains(name), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Proxy-Foo", "proxy-", "PROXY-Status"})
  void everyProxyHeaderIsDropped(String name) {
    assertTrue(NO_CONNECTION_HEADER.contains(name), name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Content-Type",
        "Content-Length",
        "Authorization",
        "Host",
        "X-Forwarded-For",
        "Trailers",
        "Proxy",
        "Cookie",
        "traceparent"
      })
  void endToEndHeadersAreKept(String name) {
    assertFalse(NO_CONNECTION_HEADER.contains(name), name);
  }

  @Test
  void matchingIsCaseInsensitive() {
    assertTrue(NO_CONNECTION_HEADER.contains("transfer-encoding"));
    assertTrue(NO_CONNECTION_HEADER.contains("TRANSFER-ENCODING"));
    assertTrue(NO_CONNECTION_HEADER.contains("kEeP-aLiVe"));
  }

  @Test
  void tokensNamedInConnectionAreDropped() {
    HopByHopHeaders h = HopByHopHeaders.of(List.of("close, X-Session-Hop", " x-other ,"));

    assertTrue(h.contains("X-Session-Hop"));
    assertTrue(h.contains("x-session-hop"));
    assertTrue(h.contains("X-OTHER"));
    assertFalse(h.contains("X-Kept"));
    assertTrue(h.contains("Connection"), "the standard set still applies");
  }

  @Test
  void connectionTokensOfOneMessageDoNotLeakToAnother() {
    HopByHopHeaders.of(List.of("X-Secret"));

    assertFalse(HopByHopHeaders.of(List.of()).contains("X-Secret"));
    assertFalse(HopByHopHeaders.of(List.of("keep-alive")).contains("X-Secret"));
  }

  @Test
  void emptyAndBlankConnectionTokensAreIgnored() {
    HopByHopHeaders h = HopByHopHeaders.of(List.of("", " , ,", ","));

    assertFalse(h.contains(""));
    assertFalse(h.contains("Content-Type"));
  }

  @Test
  void aResponsesConnectionHeadersAreFoundInAnyCase() {
    HopByHopHeaders h =
        HopByHopHeaders.ofHeaders(
            List.of(
                Map.entry("connection", "X-Secret-Hop"),
                Map.entry("X-Kept", "1"),
                Map.entry("CONNECTION", "keep-alive, X-Other-Hop")));

    assertTrue(h.contains("X-Secret-Hop"));
    assertTrue(h.contains("x-other-hop"));
    assertFalse(h.contains("X-Kept"));
  }

  @Test
  void aRequestsConnectionValuesAreReadFromTheirEnumeration() {
    HopByHopHeaders h = HopByHopHeaders.of(Collections.enumeration(List.of("X-A", "close, X-B")));

    assertTrue(h.contains("x-a"));
    assertTrue(h.contains("X-B"));
    assertFalse(h.contains("X-C"));
  }
}
