package dev.gatewaywar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis for tests: Debian's {@code redis-server} (installed by {@code .ci/run}) started on a
 * free loopback port with its own temporary folder and no persistence, stopped (and restarted on
 * the same port) on demand. No Docker, no mock.
 */
public final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a Redis, failing the test (not skipping it) when {@code redis-server} is missing. */
  public static RedisServer start() throws IOException, InterruptedException {
    RedisServer r =
        new RedisServer(
            Files.createTempDirectory("gateway-redis"), FreePortForArquillian.freePort());
    r.startProcess();
    return r;
  }

  public int port() {
    return port;
  }

  /** The server's process id (to suspend it with SIGSTOP, as a hung Redis). */
  public long pid() {
    return process.pid();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server (SIGTERM, then SIGKILL); clients see their connection closed. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts the server again on the same port, empty. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  private void startProcess() throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    executable(),
                    "--port",
                    String.valueOf(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    dir.toString(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile());
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited:\n" + log());
      }
      if (ping()) {
        return;
      }
      Thread.sleep(50);
    }
    stop();
    throw new IllegalStateException("redis-server did not answer PING within 15 s:\n" + log());
  }

  private static String executable() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "redis-server is not installed: run .ci/run, or apt-get install -y redis-server");
  }

  /** True when the server answers PING. */
  public boolean ping() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
