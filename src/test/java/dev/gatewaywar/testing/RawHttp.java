package dev.gatewaywar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests a real HTTP client refuses to send (hop-by-hop
 * headers, raw paths with dot segments or encoded slashes). The request text is sent as given; the
 * response is read until the server closes the connection, so requests should say {@code
 * Connection: close}.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A parsed response. */
  public record Response(int status, List<String[]> headers, String body) {
    public String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    public List<String> headerValues(String name) {
      List<String> values = new ArrayList<>();
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          values.add(h[1]);
        }
      }
      return values;
    }
  }

  public static Response send(int port, String request) throws IOException {
    return send(InetAddress.getLoopbackAddress(), port, request);
  }

  /** Sends {@code request} to {@code address} (IPv6 loopback, say) and parses the response. */
  public static Response send(InetAddress address, int port, String request) throws IOException {
    try (Socket socket = new Socket(address, port)) {
      socket.setSoTimeout(15_000);
      socket
          .getOutputStream()
          .write(request.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return parse(socket.getInputStream());
    }
  }

  private static Response parse(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim();
      String value = lines[i].substring(colon + 1).trim();
      headers.add(new String[] {name, value});
      chunked |=
          name.equalsIgnoreCase("Transfer-Encoding")
              && value.toLowerCase(Locale.ROOT).contains("chunked");
    }
    return new Response(status, headers, chunked ? dechunk(body) : body);
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < body.length()) {
      int lineEnd = body.indexOf("\r\n", at);
      int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
    return out.toString();
  }
}
