package dev.gatewaywar.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code target/gateway.war} run as users run it, {@code java [jvmArgs] -jar gateway.war
 * args...}, in its own process with its output in a file. For failsafe tests ({@code mvn verify}).
 */
public final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final Path errorLog;

  private GatewayProcess(Process process, Path log, Path errorLog) {
    this.process = process;
    this.log = log;
    this.errorLog = errorLog;
  }

  /** The WAR built by this build (failsafe passes its path as the {@code gateway.war} property). */
  public static Path war() {
    Path war = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
    if (!Files.isRegularFile(war)) {
      throw new IllegalStateException(war + " is missing: run mvn package first");
    }
    return war;
  }

  /** Starts the WAR and returns once it accepts connections on {@code port} (60 s at most). */
  public static GatewayProcess start(List<String> jvmArgs, int port, String... args)
      throws IOException, InterruptedException {
    return awaitPort(launch(jvmArgs, false, args), port);
  }

  /** Like {@link #start}, on the JDK at {@code javaHome} instead of the one running the tests. */
  public static GatewayProcess startOn(
      Path javaHome, List<String> jvmArgs, int port, String... args)
      throws IOException, InterruptedException {
    return awaitPort(launch(javaHome, jvmArgs, false, args), port);
  }

  /**
   * Starts the WAR with {@code configFile} in a 128 MiB heap that ends the process on an
   * OutOfMemoryError, for tests that show something fits in a small heap: an error cannot be
   * survived quietly, and the process is gone or its output says so.
   */
  public static GatewayProcess startInSmallHeap(int port, Path configFile)
      throws IOException, InterruptedException {
    return start(
        List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
        port,
        "--config",
        configFile.toString());
  }

  /**
   * Like {@link #start}, with standard output and standard error in separate files: {@link
   * #output()} is then standard output only, {@link #errorOutput()} standard error.
   */
  public static GatewayProcess startSeparatingStderr(List<String> jvmArgs, int port, String... args)
      throws IOException, InterruptedException {
    return awaitPort(launch(jvmArgs, true, args), port);
  }

  private static GatewayProcess awaitPort(GatewayProcess p, int port)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.process.isAlive()) {
        throw new IllegalStateException("gateway exited early:\n" + p.output());
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return p;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    p.close();
    throw new IllegalStateException(
        "gateway did not listen on " + port + " within 60 s:\n" + p.output());
  }

  /**
   * Runs the WAR to completion (a CLI command) and returns its exit code; output in {@link
   * #output}.
   */
  public static GatewayProcess run(String... args) throws IOException, InterruptedException {
    GatewayProcess p = launch(List.of(), false, args);
    if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
      p.close();
      throw new IllegalStateException("command did not finish within 60 s");
    }
    return p;
  }

  private static GatewayProcess launch(List<String> jvmArgs, boolean separateStderr, String... args)
      throws IOException {
    return launch(Path.of(System.getProperty("java.home")), jvmArgs, separateStderr, args);
  }

  private static GatewayProcess launch(
      Path javaHome, List<String> jvmArgs, boolean separateStderr, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(war().toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("gateway-process", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(log.toFile());
    Path errorLog = null;
    if (separateStderr) {
      errorLog = Files.createTempFile("gateway-process", ".err.log");
      builder.redirectError(errorLog.toFile());
    } else {
      builder.redirectErrorStream(true);
    }
    return new GatewayProcess(builder.start(), log, errorLog);
  }

  public int exitCode() {
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String output() throws IOException {
    return Files.readString(log);
  }

  /** Standard error, when started with {@link #startSeparatingStderr}; else empty. */
  public String errorOutput() throws IOException {
    return errorLog == null ? "" : Files.readString(errorLog);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
