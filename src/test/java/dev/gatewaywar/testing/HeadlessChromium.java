package dev.gatewaywar.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, for what only a browser judges (CORS, how a page looks). A page is
 * loaded with {@code --dump-dom}: the page writes what it found out into its DOM, and {@code
 * --virtual-time-budget} makes Chromium wait for the page's fetches before dumping it. Missing
 * Chromium fails the test (CI installs it): a skipped browser test would let a green run hide that
 * no browser judged.
 */
public final class HeadlessChromium {
  private static final Path BINARY = Path.of("/usr/bin/chromium");

  private HeadlessChromium() {}

  /**
   * Loads {@code url} in a fresh profile under {@code workDir} and returns the DOM once the page's
   * network activity is done (within {@code budget} of the page's virtual time).
   */
  public static String dumpDom(String url, Path workDir, Duration budget)
      throws IOException, InterruptedException {
    String dom = run(url, workDir, budget, List.of("--dump-dom"));
    if (dom.isBlank()) {
      throw new AssertionError("chromium wrote no page for " + url);
    }
    return dom;
  }

  /**
   * Loads {@code url} in a window of {@code width} x {@code height} CSS pixels and saves what it
   * shows as a PNG at {@code png}.
   */
  public static void screenshot(String url, Path workDir, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.deleteIfExists(png);
    run(
        url,
        workDir,
        Duration.ofSeconds(5),
        List.of(
            "--screenshot=" + png.toAbsolutePath(),
            "--window-size=" + width + "," + height,
            "--hide-scrollbars"));
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new AssertionError("chromium saved no screenshot of " + url + " at " + png);
    }
  }

  private static String run(String url, Path workDir, Duration budget, List<String> mode)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(
          BINARY + " is missing: install Debian's chromium package (apt-get install chromium)");
    }
    Path profile = Files.createTempDirectory(workDir, "chromium-profile");
    Path out = workDir.resolve(profile.getFileName() + ".out");
    Path err = workDir.resolve(profile.getFileName() + ".err");
    List<String> command =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox", // tests run as root in CI, where the sandbox cannot start
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + budget.toMillis()));
    command.addAll(mode);
    command.add(url);
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(budget.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
      ProcessTrees.kill(process.toHandle());
      throw new AssertionError("chromium did not finish: " + Files.readString(err));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "chromium exited " + process.exitValue() + ": " + Files.readString(err));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
