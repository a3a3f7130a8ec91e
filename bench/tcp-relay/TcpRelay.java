import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The least a proxy on the JVM does for a large body: read from one socket, write to the other,
 * through one buffer, on a blocking thread per direction, with no HTTP at all (bytes pass as they
 * are, keep-alive included). bench/streaming.sh runs it beside HAProxy as the floor a Java proxy
 * can reach on the machine; it is not a proxy anyone should use.
 *
 * <p>Usage: {@code java bench/tcp-relay/TcpRelay.java LISTEN_PORT UPSTREAM_PORT [BUFFER_BYTES]}
 */
public final class TcpRelay {
  public static void main(String[] args) throws IOException {
    int listenPort = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    int bufferBytes = args.length > 2 ? Integer.parseInt(args[2]) : 128 * 1024;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(listenPort, 128, loopback)) {
      System.err.println("relaying port " + listenPort + " to " + upstreamPort);
      while (true) {
        Socket client = server.accept();
        Socket upstream = new Socket(loopback, upstreamPort);
        new Thread(() -> pump(client, upstream, bufferBytes)).start();
        new Thread(() -> pump(upstream, client, bufferBytes)).start();
      }
    }
  }

  private static void pump(Socket from, Socket to, int bufferBytes) {
    byte[] buffer = new byte[bufferBytes];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // one side closed: the finally block closes both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
