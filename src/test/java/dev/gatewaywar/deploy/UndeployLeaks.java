package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a webapp may leave in a running Tomcat after it is undeployed, looked for three ways:
 * Tomcat's own warnings in its logs (it names threads the webapp started and ThreadLocals it left
 * on Tomcat's threads), threads in Tomcat's JVM that were not there before the webapp was deployed
 * ({@code jcmd Thread.print}), and webapp class loaders still alive after a full GC ({@code jcmd
 * GC.class_histogram}, which collects first): the check of Tomcat manager's "Find leaks", done from
 * outside. A loader pinned by a JDK-level reference (a system property, a JDBC driver, a JUL
 * handler) shows up only in the last one.
 */
final class UndeployLeaks {
  /** Tomcat's own words when a webapp leaves something behind on undeploy. */
  static final List<String> WARNINGS =
      List.of("memory leak", "appears to have started a thread", "failed to stop it");

  private static final String WEBAPP_LOADER =
      "org.apache.catalina.loader.ParallelWebappClassLoader";

  /**
   * Threads that come and go with the JVM's or Tomcat's own load, not the webapp's: the connector's
   * request threads, Tomcat's utility pool (which deploys), JIT compiler threads added on demand,
   * the common fork-join pool (whose threads carry the system class loader, never a webapp's).
   */
  private static final Pattern NOT_THE_WEBAPPS =
      Pattern.compile(
          "http-nio-.*-exec-\\d+|Catalina-utility-\\d+|C\\d CompilerThread\\d+"
              + "|ForkJoinPool\\.commonPool-worker-\\d+");

  private static final Pattern THREAD_HEADER = Pattern.compile("^\"(.*)\" (#\\d+)");
  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

  /**
   * How many times threads and class loaders are looked at (300 ms apart, a full GC each time for
   * the loaders) before what is left counts as leaked.
   */
  private static final int ATTEMPTS = 10;

  private UndeployLeaks() {}

  /**
   * Java threads of Tomcat's JVM, each with its stack as jcmd printed it, keyed by name and id
   * ({@code "name" #31}): two threads of one name are two entries.
   */
  static Map<String, String> threads(TomcatServer tomcat) throws IOException, InterruptedException {
    Map<String, String> threads = new LinkedHashMap<>();
    String name = null;
    StringBuilder stack = new StringBuilder();
    for (String line : tomcat.jcmd("Thread.print").split("\n")) {
      if (line.startsWith("\"")) {
        if (name != null) {
          threads.put(name, stack.toString());
        }
        Matcher header = THREAD_HEADER.matcher(line);
        // VM-internal threads have no #id
        name = header.find() ? "\"" + header.group(1) + "\" " + header.group(2) : null;
        stack.setLength(0);
      }
      stack.append(line).append('\n');
    }
    if (name != null) {
      threads.put(name, stack.toString());
    }
    // canary: Tomcat's main thread waits for the shutdown command as long as Tomcat runs; if it
    // is not found, jcmd's format is no longer understood, and every comparison of thread sets
    // would pass on two empty sets
    if (threads.keySet().stream().noneMatch(t -> t.startsWith("\"main\" #"))) {
      throw new AssertionError("jcmd Thread.print output not understood:\n" + threads);
    }
    return threads;
  }

  /**
   * Fails naming everything the undeployed webapp left: leak warnings in Tomcat's logs, threads not
   * in {@code threadsBefore} (taken before the webapp was deployed), more than {@code loadersLeft}
   * webapp class loaders (those of webapps still deployed) after up to {@value #ATTEMPTS} full GCs,
   * and, with none left, any instance of a gateway class.
   */
  static void assertNothingLeftBehind(
      TomcatServer tomcat, Set<String> threadsBefore, int loadersLeft) throws Exception {
    assertNothingLeftBehind(tomcat, threadsBefore, loadersLeft, loadersLeft > 0);
  }

  /**
   * As {@link #assertNothingLeftBehind(TomcatServer, Set, int)}, where the {@code loadersLeft} may
   * be other webapps' (the manager's): unless {@code gatewaysLeft}, no instance of a gateway class
   * may be alive either.
   */
  static void assertNothingLeftBehind(
      TomcatServer tomcat, Set<String> threadsBefore, int loadersLeft, boolean gatewaysLeft)
      throws Exception {
    List<String> warnings = warnings(tomcat.allLogs());
    Map<String, String> threadsLeft = newThreads(tomcat, threadsBefore);
    for (int attempt = 1; attempt < ATTEMPTS && !threadsLeft.isEmpty(); attempt++) {
      Thread.sleep(300); // a thread told to stop may take a moment to end
      threadsLeft = newThreads(tomcat, threadsBefore);
    }
    Map<String, String> newThreads = threadsLeft;
    Map<String, Long> histogram = Map.of();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      histogram = histogram(tomcat);
      if (histogram.getOrDefault(WEBAPP_LOADER, 0L) <= loadersLeft) {
        break;
      }
      Thread.sleep(300); // a loader may still be referenced by a stopping background thread
    }
    long loaders = histogram.getOrDefault(WEBAPP_LOADER, 0L);
    Map<String, Long> gatewayObjects =
        histogram.entrySet().stream()
            .filter(e -> e.getKey().startsWith("dev.gatewaywar."))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertAll(
        () ->
            assertTrue(
                warnings.isEmpty(),
                () -> "Tomcat reported leaks in " + tomcat.base() + "/logs:\n" + warnings),
        () ->
            assertTrue(
                newThreads.isEmpty(),
                () ->
                    "threads left behind in Tomcat's JVM:\n"
                        + String.join("\n", newThreads.values())),
        () ->
            assertTrue(
                loaders <= loadersLeft,
                () ->
                    loaders
                        + " webapp class loaders alive after "
                        + ATTEMPTS
                        + " full GCs, expected "
                        + loadersLeft
                        + " (the undeployed webapp's is still referenced)"),
        () ->
            assertTrue(
                gatewaysLeft || gatewayObjects.isEmpty(),
                () -> "gateway objects alive with no gateway deployed: " + gatewayObjects));
  }

  /** Threads not in {@code before}, leaving out those of the JVM's and Tomcat's own pools. */
  private static Map<String, String> newThreads(TomcatServer tomcat, Set<String> before)
      throws IOException, InterruptedException {
    Map<String, String> threads = new LinkedHashMap<>(threads(tomcat));
    threads
        .keySet()
        .removeIf(
            t ->
                before.contains(t)
                    || NOT_THE_WEBAPPS.matcher(t.substring(1, t.lastIndexOf('"'))).matches());
    return threads;
  }

  /** Lines of {@code logs} holding one of {@link #WARNINGS}. */
  static List<String> warnings(String logs) {
    List<String> found = new ArrayList<>();
    for (String line : logs.split("\n")) {
      if (WARNINGS.stream().anyMatch(line::contains)) {
        found.add(line);
      }
    }
    return found;
  }

  /** Live instances per class name, after the full GC {@code GC.class_histogram} starts with. */
  private static Map<String, Long> histogram(TomcatServer tomcat)
      throws IOException, InterruptedException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String line : tomcat.jcmd("GC.class_histogram").split("\n")) {
      Matcher m = HISTOGRAM_LINE.matcher(line);
      if (m.find()) {
        counts.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
      }
    }
    if (!counts.containsKey("java.lang.String")) {
      throw new AssertionError("jcmd GC.class_histogram output not understood (no String)");
    }
    return counts;
  }
}
