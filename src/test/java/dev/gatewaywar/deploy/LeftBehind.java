package dev.gatewaywar.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What an undeployed webapp left in a server's JVM, read from {@code jcmd} output: threads (from
 * {@code Thread.print}) and class loaders (from {@code VM.classloaders}). A thread is suspect when
 * it is new since the baseline taken before the deployment and is not one of the server's own
 * pools, or when any thread is running code of the gateway or of a library only the gateway brings
 * (a request thread stuck in the proxy pins the webapp as surely as a leaked executor does).
 */
final class LeftBehind {
  /** One thread of a dump: its name and the methods of its stack frames, innermost first. */
  record JavaThread(String name, List<String> frames) {
    @Override
    public String toString() {
      return "\""
          + name
          + "\""
          + frames.stream().map(f -> "\n    " + f).collect(Collectors.joining());
    }
  }

  /**
   * Packages of the gateway and of the libraries WEB-INF/lib brings that start or run threads of
   * their own (HttpClient 5's evictor, Lettuce and its Netty event loops, Reactor, the
   * OpenTelemetry SDK's batch processor and exporters, Log4j, Caffeine, Jersey and HK2, Prometheus,
   * Bucket4j). WildFly's default standalone.xml runs none of them itself.
   */
  static final List<String> GATEWAY_PACKAGES =
      List.of(
          "dev.gatewaywar.",
          "org.glassfish.jersey.",
          "org.glassfish.hk2.",
          "org.jvnet.hk2.",
          "org.apache.hc.",
          "io.lettuce.",
          "io.netty.",
          "reactor.",
          "io.opentelemetry.",
          "okhttp3.",
          "org.apache.logging.log4j.",
          "com.github.benmanes.caffeine.",
          "io.github.bucket4j.",
          "io.prometheus.",
          "org.jose4j.",
          "org.yaml.snakeyaml.");

  /** Threads of WildFly's own pools, which grow and renumber as deployments come and go. */
  static final Pattern WILDFLY_POOLS =
      Pattern.compile(
          "default task-\\d+|default I/O-\\d+|default Accept|XNIO-\\d+ .*"
              + "|ServerService Thread Pool -- \\d+|MSC service thread \\d+-\\d+"
              + "|management.*|DeploymentScanner-threads - \\d+|Reference Reaper.*"
              + "|Transaction Reaper Worker \\d+"
              // the JVM's own, started on demand (jcmd attaching, the JIT, the code cache, the
              // common fork-join pool, whose threads carry the system class loader, never a
              // deployment's; one running the gateway's code is still caught by its frames)
              + "|Attach Listener|C[12] CompilerThread\\d+|Sweeper thread"
              + "|ForkJoinPool\\.commonPool-worker-\\d+");

  private static final Pattern THREAD_HEADER = Pattern.compile("^\"(.*)\"(?:\\s|$)");
  private static final Pattern FRAME = Pattern.compile("^\\s+at ([^\\s(]+)");

  private LeftBehind() {}

  /** The threads of a {@code jcmd <pid> Thread.print} output. */
  static List<JavaThread> threads(String threadDump) {
    List<JavaThread> threads = new ArrayList<>();
    String name = null;
    List<String> frames = new ArrayList<>();
    for (String line : threadDump.split("\n")) {
      Matcher header = THREAD_HEADER.matcher(line);
      if (header.find()) {
        if (name != null) {
          threads.add(new JavaThread(name, List.copyOf(frames)));
        }
        name = header.group(1);
        frames.clear();
        continue;
      }
      Matcher frame = FRAME.matcher(line);
      if (name != null && frame.find()) {
        frames.add(frame.group(1));
      }
    }
    if (name != null) {
      threads.add(new JavaThread(name, List.copyOf(frames)));
    }
    return threads;
  }

  /** The names of {@code threads}. */
  static Set<String> names(List<JavaThread> threads) {
    return threads.stream().map(JavaThread::name).collect(Collectors.toSet());
  }

  /**
   * The suspect threads of {@code now}: new since {@code baseline} (names) and not WildFly's own
   * pools, or running gateway code, whatever their name.
   */
  static List<JavaThread> suspectThreads(Set<String> baseline, List<JavaThread> now) {
    return now.stream()
        .filter(
            t ->
                (!baseline.contains(t.name()) && !WILDFLY_POOLS.matcher(t.name()).matches())
                    || runsGatewayCode(t))
        .toList();
  }

  static boolean runsGatewayCode(JavaThread thread) {
    return thread.frames().stream()
        .anyMatch(f -> GATEWAY_PACKAGES.stream().anyMatch(f::startsWith));
  }

  /**
   * The lines of a {@code jcmd <pid> VM.classloaders} output naming the JBoss Modules class loader
   * of deployment {@code runtimeName} ({@code "deployment.ROOT.war"}).
   */
  static List<String> deploymentLoaders(String classLoaders, String runtimeName) {
    String quoted = "\"deployment." + runtimeName + "\"";
    return classLoaders.lines().filter(l -> l.contains(quoted)).map(String::strip).toList();
  }
}
