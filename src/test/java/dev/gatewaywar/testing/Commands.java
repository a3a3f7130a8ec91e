package dev.gatewaywar.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Short-lived commands tests run against a server they started (jboss-cli, jcmd, deploy scripts):
 * output and error captured together, a bound on the run, and the whole process tree killed when it
 * is exceeded.
 */
public final class Commands {
  private Commands() {}

  /** What a command printed (standard output and error, interleaved) and how it exited. */
  public record Result(List<String> command, int exitCode, String output) {
    public boolean succeeded() {
      return exitCode == 0;
    }

    /** Fails with the command and its output unless it exited 0. */
    public Result assertSucceeded() {
      if (!succeeded()) {
        throw new AssertionError(this.toString());
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
    }
  }

  /**
   * Runs {@code command} with {@code environment} added to this JVM's, its output going through
   * {@code outputFile} (kept for reading after a failure); kills it after {@code timeout}.
   */
  public static Result run(
      List<String> command, Map<String, String> environment, Path outputFile, Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(outputFile.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      ProcessTrees.kill(process.toHandle());
      throw new AssertionError(
          String.join(" ", command)
              + " did not finish within "
              + timeout
              + ":\n"
              + Files.readString(outputFile, StandardCharsets.UTF_8));
    }
    return new Result(
        List.copyOf(command),
        process.exitValue(),
        Files.readString(outputFile, StandardCharsets.UTF_8));
  }
}
