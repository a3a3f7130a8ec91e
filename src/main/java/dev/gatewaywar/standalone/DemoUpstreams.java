package dev.gatewaywar.standalone;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Example upstream services for the demo, like the Go original's mock services: a users service, an
 * orders service, and an echo service that shows what reached it (method, path, headers) and serves
 * a short event stream. Plain JDK HTTP servers on loopback.
 */
final class DemoUpstreams implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();
  private static final List<Map<String, String>> USERS =
      List.of(Map.of("id", "1", "name", "Alice"), Map.of("id", "2", "name", "Bob"));
  private static final List<Map<String, String>> ORDERS =
      List.of(
          Map.of("id", "100", "user", "1", "item", "book"),
          Map.of("id", "101", "user", "2", "item", "lamp"));

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpServer users;
  private final HttpServer orders;
  private final HttpServer echo;

  DemoUpstreams() throws IOException {
    users = server(this::users);
    orders = server(this::orders);
    echo = server(this::echo);
  }

  String usersUrl() {
    return url(users);
  }

  String ordersUrl() {
    return url(orders);
  }

  String echoUrl() {
    return url(echo);
  }

  private HttpServer server(Handler handler) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    s.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handler.handle(exchange);
          }
        });
    s.setExecutor(executor);
    s.start();
    return s;
  }

  private static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  private void users(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/users") && exchange.getRequestMethod().equals("POST")) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(201, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    } else if (path.equals("/users")) {
      json(exchange, 200, g -> writeList(g, USERS));
    } else {
      String id = path.substring(path.lastIndexOf('/') + 1);
      findById(exchange, USERS, id);
    }
  }

  private void orders(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/orders") || path.equals("/orders/")) {
      json(exchange, 200, g -> writeList(g, ORDERS));
    } else {
      findById(exchange, ORDERS, path.substring(path.lastIndexOf('/') + 1));
    }
  }

  private void echo(HttpExchange exchange) throws IOException {
    if (exchange.getRequestURI().getPath().equals("/events")) {
      events(exchange);
      return;
    }
    byte[] body = exchange.getRequestBody().readAllBytes();
    json(
        exchange,
        200,
        g -> {
          g.writeStartObject();
          g.writeStringField("method", exchange.getRequestMethod());
          g.writeStringField(
              "uri",
              exchange.getRequestURI().getRawPath()
                  + (exchange.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + exchange.getRequestURI().getRawQuery()));
          g.writeNumberField("body_bytes", body.length);
          g.writeObjectFieldStart("headers");
          for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            g.writeStringField(h.getKey(), String.join(", ", h.getValue()));
          }
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  /** A server-sent event stream: one event a second, to show the gateway does not buffer it. */
  private static void events(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 1; i <= 5; i++) {
      out.write(("data: tick " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void findById(HttpExchange exchange, List<Map<String, String>> items, String id)
      throws IOException {
    for (Map<String, String> item : items) {
      if (item.get("id").equals(id)) {
        json(exchange, 200, g -> writeMap(g, item));
        return;
      }
    }
    json(
        exchange,
        404,
        g -> {
          g.writeStartObject();
          g.writeStringField("error", "no item " + id);
          g.writeEndObject();
        });
  }

  private static void writeList(JsonGenerator g, List<Map<String, String>> items)
      throws IOException {
    g.writeStartArray();
    for (Map<String, String> item : items) {
      writeMap(g, item);
    }
    g.writeEndArray();
  }

  private static void writeMap(JsonGenerator g, Map<String, String> item) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(item).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void json(HttpExchange exchange, int status, JsonBody body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      body.write(g);
    }
    bytes.write('\n');
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.size());
    exchange.getResponseBody().write(bytes.toByteArray());
  }

  @Override
  public void close() {
    users.stop(0);
    orders.stop(0);
    echo.stop(0);
    executor.shutdownNow();
  }

  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  @FunctionalInterface
  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }
}
