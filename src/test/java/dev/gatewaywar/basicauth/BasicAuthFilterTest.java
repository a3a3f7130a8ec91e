package dev.gatewaywar.basicauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicAuthFilterTest {
  private static String basic(String text) {
    return "Basic " + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void userAndPasswordAreSplitAtTheFirstColon() {
    assertArrayEquals(
        new String[] {"alice", "p:w"}, BasicAuthFilter.credentials(basic("alice:p:w")));
    assertArrayEquals(new String[] {"alice", ""}, BasicAuthFilter.credentials(basic("alice:")));
    assertArrayEquals(
        new String[] {"jürgen", "ä"},
        BasicAuthFilter.credentials("basic " + basic("jürgen:ä").substring(6)));
  }

  @Test
  void anythingElseHasNoCredentials() {
    assertNull(BasicAuthFilter.credentials(null));
    assertNull(BasicAuthFilter.credentials("Bearer abc"));
    assertNull(BasicAuthFilter.credentials("Basic"));
    assertNull(BasicAuthFilter.credentials("Basic !!!"));
    assertNull(BasicAuthFilter.credentials(basic("no-colon")));
    assertNull(BasicAuthFilter.credentials(basic(":password")));
    assertNull(BasicAuthFilter.credentials(basic("a\u0000b:c")));
  }
}
