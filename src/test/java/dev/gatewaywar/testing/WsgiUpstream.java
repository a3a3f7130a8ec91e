package dev.gatewaywar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A real WSGI upstream: Python's {@code wsgiref} in its own process on loopback, answering every
 * request with the {@code HTTP_*} variables of its environ as JSON (src/test/resources/wsgi). It
 * reads headers as CGI does, so it shows what a Python, PHP or CGI upstream would take a header
 * for.
 */
public final class WsgiUpstream implements AutoCloseable {
  private final Process process;
  private final int port;

  private WsgiUpstream(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts it and waits for its port; needs {@code python3} on the path. */
  public static WsgiUpstream start() throws IOException {
    Process p =
        new ProcessBuilder("python3", "src/test/resources/wsgi/echo_environ.py")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("the WSGI upstream did not start");
    }
    return new WsgiUpstream(p, Integer.parseInt(line.trim()));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The environ's {@code HTTP_*} variables from a response body of this upstream. */
  public static Map<String, Object> environ(String body) throws IOException {
    return JsonObjects.parse(body);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
