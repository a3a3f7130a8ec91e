package dev.gatewaywar.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/** The one place that writes gateway-made error responses: {@code {"error": "..."}} as JSON. */
public final class ErrorResponses {
  /**
   * No thread-local buffer recycling (Jackson's default): it leaves a SoftReference to a Jackson
   * buffer in a ThreadLocal of each server thread that wrote JSON, which keeps an undeployed
   * webapp's class loader alive until memory runs short, and Tomcat cannot see it to warn.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build();

  private static final Map<GatewayError, byte[]> BODIES = new EnumMap<>(GatewayError.class);

  static {
    for (GatewayError e : GatewayError.values()) {
      BODIES.put(e, body(e.message()));
    }
  }

  private ErrorResponses() {}

  /**
   * Writes {@code error} unless the response is already committed (then the status line is gone and
   * the only honest thing left is to cut the connection, which the caller does by throwing).
   *
   * @return false when the response was already committed and nothing was written
   */
  public static boolean write(
      HttpServletResponse response, GatewayError error, Map<String, String> headers)
      throws IOException {
    byte[] body = prepare(response, error, headers);
    if (body == null) {
      return false;
    }
    response.getOutputStream().write(body);
    return true;
  }

  /**
   * Sets the status and headers of {@code error} and returns its body, for a caller that writes it
   * itself (the proxy, on non-blocking output); null when the response was already committed.
   */
  public static byte[] prepare(
      HttpServletResponse response, GatewayError error, Map<String, String> headers) {
    if (response.isCommitted()) {
      return null;
    }
    // Only the body is discarded: headers earlier filters set (a request id, CORS headers) stay,
    // so a browser can read a 401 or 429 instead of reporting a CORS failure.
    response.resetBuffer();
    response.setStatus(error.status());
    headers.forEach(response::setHeader);
    byte[] body = BODIES.get(error);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    return body;
  }

  public static boolean write(HttpServletResponse response, GatewayError error) throws IOException {
    return write(response, error, Map.of());
  }

  public static boolean write(HttpServletResponse response, GatewayException e) throws IOException {
    return write(response, e.error(), e.headers());
  }

  private static byte[] body(String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
