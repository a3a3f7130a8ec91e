package dev.gatewaywar.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the server harnesses (Tomcat, WildFly) and their tests share: requests and log lines. */
final class LoopbackHttp {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade headers in what the gateway sees
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private LoopbackHttp() {}

  /**
   * GET {@code path} (with query) on loopback {@code port}, sending {@code headers} (name,
   * value...).
   */
  static HttpResponse<String> get(int port, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(REQUEST_TIMEOUT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Some line of {@code text} (a server's log) holds every one of {@code parts}. */
  static void assertSomeLine(String text, String... parts) {
    Pattern all =
        Pattern.compile(
            Stream.of(parts).map(p -> "(?=.*" + Pattern.quote(p) + ")").reduce("", String::concat));
    if (text.lines().noneMatch(l -> all.matcher(l).find())) {
      throw new AssertionError("no line names " + List.of(parts) + ":\n" + text);
    }
  }
}
