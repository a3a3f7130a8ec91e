package dev.gatewaywar.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback for tests: by default it answers every request with 200 and a
 * short text body, and records what it received (method, raw URI, headers, body size) so tests can
 * check what the gateway forwarded. Handlers can be replaced per path prefix.
 */
public final class TestUpstream implements AutoCloseable {

  /** What the upstream received. Header names are as the JDK server reports them. */
  public record Received(String method, String rawUri, Headers headers, long bodyBytes) {
    public String header(String name) {
      return headers.getFirst(name);
    }

    public List<String> headerValues(String name) {
      List<String> v = headers.get(name);
      return v == null ? List.of() : v;
    }
  }

  /** A request handler; may write anything, including nothing for a long time. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  private TestUpstream(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    server.setExecutor(executor);
    handle("/", TestUpstream::ok);
    server.start();
  }

  public static TestUpstream start() throws IOException {
    return new TestUpstream(0);
  }

  /** An upstream on {@code port}: one started again where a stopped one was. */
  public static TestUpstream start(int port) throws IOException {
    return new TestUpstream(port);
  }

  /**
   * Stops taking connections at once, and lets the exchanges in progress finish (up to {@code
   * seconds}): a process going away between requests, every later connection refused.
   */
  public void stop(int seconds) {
    server.stop(seconds);
    executor.shutdownNow();
  }

  /** Serves requests under {@code pathPrefix} with {@code handler} (after recording them). */
  public TestUpstream handle(String pathPrefix, Handler handler) {
    try {
      server.removeContext(pathPrefix);
    } catch (IllegalArgumentException none) {
      // no handler there yet
    }
    server
        .createContext(
            pathPrefix,
            exchange -> {
              try (exchange) {
                handler.handle(exchange);
              } catch (IOException e) {
                // the gateway went away; nothing to answer
              }
            })
        .getAttributes()
        .put(KEY, this);
    return this;
  }

  /** The default handler: records the request, drains its body, answers 200 "ok". */
  public static void ok(HttpExchange exchange) throws IOException {
    reply(exchange, 200, "ok");
  }

  /** Records the request, drains its body and answers {@code status} with {@code body}. */
  public static void reply(HttpExchange exchange, int status, String body) throws IOException {
    record(exchange);
    respond(exchange, status, body);
  }

  /** Answers {@code status} with a text {@code body}, without recording. */
  public static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, bytes.length == 0 || head ? -1 : bytes.length);
    if (bytes.length > 0 && !head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Records {@code exchange} (draining its body) into the queue tests read from. */
  public static void record(HttpExchange exchange) throws IOException {
    long n = 0;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[64 * 1024];
      for (int r; (r = in.read(buffer)) > 0; ) {
        n += r;
      }
    }
    TestUpstream self = (TestUpstream) exchange.getHttpContext().getAttributes().get(KEY);
    Received r =
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null
                    ? ""
                    : "?" + exchange.getRequestURI().getRawQuery()),
            copy(exchange.getRequestHeaders()),
            n);
    self.received.add(r);
  }

  private static final String KEY = TestUpstream.class.getName();

  private static Headers copy(Headers h) {
    Headers c = new Headers();
    for (Map.Entry<String, List<String>> e : h.entrySet()) {
      c.put(e.getKey(), List.copyOf(e.getValue()));
    }
    return c;
  }

  /** Forgets requests received so far, so a test sees only its own. */
  public void clear() {
    received.clear();
  }

  /** The next request this upstream received, waiting up to 5 s for it. */
  public Received nextRequest() throws InterruptedException {
    Received r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the upstream received no request within 5 s");
    }
    return r;
  }

  /** True when no request arrived within {@code millis}. */
  public boolean noRequestWithin(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS) == null;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
