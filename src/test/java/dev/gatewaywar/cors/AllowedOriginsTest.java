package dev.gatewaywar.cors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {
  private final AllowedOrigins origins =
      AllowedOrigins.of(
          List.of("https://app.example.com", "https://*.example.com", "http://localhost:3000"));

  @Test
  void exactOriginsMatchWholeAndWithoutRegardToCase() {
    assertTrue(origins.allows("https://app.example.com"));
    assertTrue(origins.allows("HTTPS://APP.example.com"));
    assertTrue(origins.allows("http://localhost:3000"));
    assertFalse(origins.allows("http://localhost:3001"));
    assertFalse(origins.allows("http://localhost"));
    assertFalse(origins.allows("http://app.example.com"), "the scheme is part of the origin");
  }

  @Test
  void wildcardTakesAnySubdomainOnTheSameSchemeAndPort() {
    assertTrue(origins.allows("https://a.example.com"));
    assertTrue(origins.allows("https://a.b.example.com"));
    assertFalse(origins.allows("https://example.com"), "the wildcard stands for at least a label");
    assertFalse(origins.allows("https://.example.com"));
    assertFalse(origins.allows("https://evilexample.com"));
    assertFalse(origins.allows("https://a.example.com.evil.net"));
    assertFalse(origins.allows("https://a.example.com:8443"));
    assertFalse(origins.allows("http://a.example.com"));
    assertFalse(origins.allows("https://evil.net/.example.com"));
    assertFalse(origins.allows("https://user@a.example.com"));
  }

  @Test
  void starAllowsEveryOrigin() {
    AllowedOrigins any = AllowedOrigins.of(List.of("*"));
    assertTrue(any.any());
    assertTrue(any.allows("https://anything.test"));
    assertTrue(any.allows("null"));
  }

  @Test
  void noOriginsAllowNothing() {
    assertTrue(AllowedOrigins.of(List.of()).isEmpty());
    assertFalse(AllowedOrigins.of(List.of()).allows("https://app.example.com"));
  }

  @Test
  void malformedOriginsAreRefused() {
    for (String bad :
        List.of(
            "app.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://a.*.example.com",
            "https://*example.com",
            "https://*",
            "*.example.com",
            "https://user@app.example.com",
            "null")) {
      assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.of(List.of(bad)), bad);
    }
  }

  @Test
  void mergedVaryNamesOriginOnce() {
    assertTrue(CorsFilter.mergeVary("Accept-Encoding").equals("Accept-Encoding, Origin"));
    assertTrue(CorsFilter.mergeVary("origin, Accept").equals("origin, Accept"));
    assertTrue(CorsFilter.mergeVary("*").equals("*"));
    assertTrue(CorsFilter.mergeVary("").equals("Origin"));
  }
}
