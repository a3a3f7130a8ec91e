package dev.gatewaywar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An upstream on a plain server socket that answers with whatever bytes a test writes, for answers
 * no HTTP server library would send (conflicting framing, header floods, bare line feeds). Each
 * connection reads one request head, hands its request line to the {@link Script}, and is closed
 * once the script returns (answers should say {@code Connection: close}, so the gateway does not
 * pool a connection about to close).
 */
public final class RawUpstream implements AutoCloseable {
  /** Writes the answer to one request. */
  @FunctionalInterface
  public interface Script {
    void answer(String requestLine, OutputStream out) throws IOException;
  }

  private final ServerSocket server;
  private final Script script;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  private RawUpstream(Script script) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.script = script;
    this.acceptor = new Thread(this::accept, "raw-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static RawUpstream start(Script script) throws IOException {
    return new RawUpstream(script);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** {@code text} with every {@code \n} made CRLF, as ISO-8859-1 bytes. */
  public static byte[] crlf(String text) {
    return text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(socket);
      Thread t = new Thread(() -> serve(socket), "raw-upstream-connection");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      String requestLine = readHead(socket.getInputStream());
      if (requestLine != null) {
        OutputStream out = socket.getOutputStream();
        script.answer(requestLine, out);
        out.flush();
      }
    } catch (IOException e) {
      // the gateway dropped the connection (what a flood should make it do)
    } finally {
      open.remove(socket);
    }
  }

  /** Reads a request head (no body is expected) and returns its first line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.indexOf("\r\n"));
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
