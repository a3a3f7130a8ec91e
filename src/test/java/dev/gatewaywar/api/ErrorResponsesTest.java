package dev.gatewaywar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.Fakes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorResponsesTest {

  @ParameterizedTest
  @EnumSource(GatewayError.class)
  void everyErrorIsJsonWithItsStatus(GatewayError error) throws Exception {
    Fakes.Response response = new Fakes.Response();

    assertTrue(ErrorResponses.write(response.asServletResponse(), error));

    assertEquals(error.status(), response.status());
    assertEquals("application/json", response.contentType());
    assertEquals("{\"error\":\"" + error.message() + "\"}", response.bodyText());
    assertEquals(
        response.bodyText().getBytes(StandardCharsets.UTF_8).length, response.contentLength());
  }

  @Test
  void headersOfTheExceptionAreSet() throws Exception {
    Fakes.Response response = new Fakes.Response();

    ErrorResponses.write(
        response.asServletResponse(),
        new GatewayException(GatewayError.RATE_LIMITED, Map.of("Retry-After", "2")));

    assertEquals(429, response.status());
    assertEquals(Map.of("Retry-After", "2"), response.headers());
    assertEquals("{\"error\":\"rate limit exceeded\"}", response.bodyText());
  }

  @Test
  void headersEarlierFiltersSetAreKeptButTheBodyIsReplaced() throws Exception {
    Fakes.Response response = new Fakes.Response();
    response.asServletResponse().setHeader("Access-Control-Allow-Origin", "https://app.example");
    response.asServletResponse().getOutputStream().write("partial".getBytes());

    ErrorResponses.write(response.asServletResponse(), GatewayError.BAD_GATEWAY);

    assertEquals(1, response.resets());
    assertEquals("https://app.example", response.headers().get("Access-Control-Allow-Origin"));
    assertEquals("{\"error\":\"bad gateway\"}", response.bodyText());
  }

  @Test
  void committedResponseIsLeftAlone() throws Exception {
    Fakes.Response response = new Fakes.Response();
    response.commit();

    assertFalse(ErrorResponses.write(response.asServletResponse(), GatewayError.GATEWAY_TIMEOUT));

    assertEquals(200, response.status());
    assertEquals("", response.bodyText());
  }

  @Test
  void statusesMapToTheirCause() {
    assertEquals(GatewayError.NOT_FOUND, GatewayError.forStatus(404));
    assertEquals(GatewayError.GATEWAY_TIMEOUT, GatewayError.forStatus(504));
    assertEquals(GatewayError.PAYLOAD_TOO_LARGE, GatewayError.forStatus(413));
    assertEquals(GatewayError.BAD_REQUEST, GatewayError.forStatus(414));
    assertEquals(GatewayError.INTERNAL, GatewayError.forStatus(507));
  }
}
