package dev.gatewaywar.deploy;

import dev.gatewaywar.deploy.LeftBehind.JavaThread;
import dev.gatewaywar.testing.Commands;
import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.ProcessTrees;
import dev.gatewaywar.testing.TestFiles;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * One real WildFly from an unpacked distribution (JBOSS_HOME), run as a standalone server on a
 * fresh server base directory of its own ({@code -Djboss.server.base.dir}: a copy of the
 * distribution's {@code standalone/configuration}, and there its logs, data and deployments), with
 * every socket binding on a free loopback port. Started with {@code bin/standalone.sh} on the JDK
 * running the tests; the script forwards SIGTERM to the server JVM, whose process id it writes to a
 * pid file, which is how {@code jcmd} finds it.
 */
final class WildFlyServer implements AutoCloseable {
  /** Every bound below: a boot, a stop, one jboss-cli or jcmd run (requests: LoopbackHttp). */
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /** WildFly's boot messages: started, and started with failed services. */
  private static final String STARTED = "WFLYSRV0025";

  private static final String STARTED_WITH_ERRORS = "WFLYSRV0026";

  /** Servers still alive, killed by a shutdown hook should the test JVM end without cleaning up. */
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(ProcessTrees::kill), "kill-wildflys"));
  }

  /** An unpacked WildFly distribution, named after its directory (wildfly-39.0.1.Final). */
  record Distribution(Path home) {
    @Override
    public String toString() {
      return home.getFileName().toString();
    }
  }

  private final Distribution distribution;
  private final Path base;
  private final int httpPort;
  private final int managementPort;
  private final List<String> serverArguments;
  private final AtomicInteger commands = new AtomicInteger();
  private Process process;
  private long jvmPid;

  private WildFlyServer(Distribution distribution, Path base) {
    this.distribution = distribution;
    this.base = base;
    this.httpPort = FreePortForArquillian.freePort();
    this.managementPort = FreePortForArquillian.freePort();
    this.serverArguments =
        List.of(
            "-Djboss.server.base.dir=" + base,
            "-Djboss.bind.address=127.0.0.1",
            "-Djboss.bind.address.management=127.0.0.1",
            "-Djboss.http.port=" + httpPort,
            "-Djboss.https.port=" + FreePortForArquillian.freePort(),
            "-Djboss.ajp.port=" + FreePortForArquillian.freePort(),
            "-Djboss.management.http.port=" + managementPort,
            "-Djboss.management.https.port=" + FreePortForArquillian.freePort());
  }

  /**
   * Makes a fresh server base at {@code base} (whatever was there is deleted first; what a run
   * leaves stays for reading after a failure).
   */
  static WildFlyServer create(Distribution distribution, Path base) throws IOException {
    Path home = distribution.home();
    if (!Files.isRegularFile(home.resolve("bin/standalone.sh"))) {
      throw new IllegalStateException(
          "no WildFly distribution at " + home + "; run through `mvn verify`, which unpacks it");
    }
    if (base.toString().chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("standalone.sh word-splits paths: " + base);
    }
    TestFiles.deleteTree(base);
    Files.createDirectories(base.resolve("configuration"));
    Files.createDirectories(base.resolve("deployments"));
    try (Stream<Path> files = Files.list(home.resolve("standalone/configuration"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, base.resolve("configuration").resolve(f.getFileName()));
      }
    }
    return new WildFlyServer(distribution, base);
  }

  /** Starts {@code standalone.sh} and waits until WildFly reports it has started. */
  void start() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("/bin/sh");
    command.add(distribution.home().resolve("bin/standalone.sh").toString());
    command.addAll(serverArguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(base.toFile())
            .redirectErrorStream(true)
            .redirectOutput(consoleFile().toFile());
    Map<String, String> env = builder.environment();
    for (String inherited :
        List.of(
            "JAVA_OPTS",
            "SERVER_OPTS",
            "JBOSS_BASE_DIR",
            "JBOSS_LOG_DIR",
            "JBOSS_CONFIG_DIR",
            "JBOSS_MODULEPATH",
            "GATEWAY_CONFIG",
            "CLASSPATH")) {
      env.remove(inherited);
    }
    env.putAll(scriptEnvironment());
    // the script relays SIGTERM to the JVM it starts in the background, and writes its pid
    env.put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
    env.put("JBOSS_PIDFILE", pidFile().toString());
    // standalone.conf's sizing plus a quick-starting JIT, a collector that unloads classes on
    // every full GC, and soft references cleared by every GC: the class loader check counts what
    // is strongly reachable, not what a cache may still hold until memory runs short
    env.put(
        "JBOSS_JAVA_SIZING",
        "-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SoftRefLRUPolicyMSPerMB=0");
    process = builder.start();
    LIVE.add(process.toHandle());
    awaitStarted();
  }

  private void awaitStarted() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(
            this + " exited with " + process.exitValue() + " while booting:\n" + consoleTail());
      }
      String console = console();
      if (console.contains(STARTED_WITH_ERRORS)) {
        throw new AssertionError(this + " started with errors:\n" + consoleTail());
      }
      if (console.contains(STARTED) && Files.isRegularFile(pidFile())) {
        String pid = Files.readString(pidFile(), StandardCharsets.US_ASCII).strip();
        if (!pid.isEmpty()) {
          jvmPid = Long.parseLong(pid);
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            this + " did not start within " + START_TIMEOUT + ":\n" + consoleTail());
      }
      Thread.sleep(100);
    }
  }

  /**
   * Runs {@code script} (a shell script of the deploy kit) with the environment it documents:
   * JBOSS_HOME of this distribution and WILDFLY_CONTROLLER of this server.
   */
  Commands.Result runKit(Path script, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
    command.addAll(List.of(arguments));
    return Commands.run(command, scriptEnvironment(), commandOutput("kit"), COMMAND_TIMEOUT);
  }

  /** Runs jboss-cli {@code commands} (comma-separated, as {@code --commands=} takes them). */
  Commands.Result cli(String commands) throws IOException, InterruptedException {
    return jbossCli("--commands=" + commands);
  }

  /** Runs the jboss-cli script {@code file}, as an operator runs the kit's {@code .cli} files. */
  Commands.Result cliFile(Path file) throws IOException, InterruptedException {
    return jbossCli("--file=" + file.toAbsolutePath());
  }

  private Commands.Result jbossCli(String what) throws IOException, InterruptedException {
    return Commands.run(
        List.of(
            "/bin/sh",
            distribution.home().resolve("bin/jboss-cli.sh").toString(),
            "--connect",
            "--controller=" + controller(),
            what),
        scriptEnvironment(),
        commandOutput("cli"),
        COMMAND_TIMEOUT);
  }

  int httpPort() {
    return httpPort;
  }

  /** Runs {@code jcmd <server JVM> command...} with the JDK that runs the server. */
  String jcmd(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(jvmPid));
    line.addAll(List.of(command));
    return Commands.run(line, Map.of(), commandOutput("jcmd"), COMMAND_TIMEOUT)
        .assertSucceeded()
        .output();
  }

  /** The server JVM's threads now. */
  List<JavaThread> threads() throws IOException, InterruptedException {
    return LeftBehind.threads(jcmd("Thread.print"));
  }

  /**
   * Waits (bounded) until, after a full GC, the server JVM holds no class loader of deployment
   * {@code runtimeName} and no thread {@link LeftBehind#suspectThreads suspect} against {@code
   * baseline} (the thread names before the deployment); fails naming what is left. Returns how long
   * that took.
   */
  Duration assertNothingLeftBehind(String runtimeName, Set<String> baseline, Duration patience)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + patience.toNanos();
    String firstSeen = null;
    while (true) {
      // a loader goes only once unreachable: undeploy can finish a moment before the last
      // reference (an MSC service, a finishing request) is dropped, so GC and look again
      jcmd("GC.run");
      List<String> loaders = LeftBehind.deploymentLoaders(jcmd("VM.classloaders"), runtimeName);
      List<JavaThread> threads = LeftBehind.suspectThreads(baseline, threads());
      if (loaders.isEmpty() && threads.isEmpty()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (firstSeen == null) {
        firstSeen = loaders + " " + threads.stream().map(JavaThread::name).toList();
        System.out.println(runtimeName + " just after undeploy, still there: " + firstSeen);
      }
      if (System.nanoTime() > deadline) {
        // for finding what holds it: any heap dump analyser's path to GC roots
        Path heapDump =
            base.resolve("left-behind-" + runtimeName + "-" + System.nanoTime() + ".hprof");
        jcmd("GC.heap_dump", heapDump.toString());
        throw new AssertionError(
            runtimeName
                + " left behind (heap dump: "
                + heapDump
                + "), "
                + patience
                + " after undeploy and full GCs, in "
                + this
                + ":\nclass loaders: "
                + loaders
                + "\nthreads:\n"
                + threads.stream().map(Object::toString).collect(Collectors.joining("\n")));
      }
      Thread.sleep(500);
    }
  }

  /**
   * Fixes WildFly's request worker pool at {@code threads} (core = max; the server is reloaded) and
   * makes every one of them before any gateway runs. A pool thread of WildFly (JBoss Threads'
   * EnhancedQueueExecutor) keeps the first task it ran in a local variable for as long as it lives,
   * and that task (an Undertow exchange, or an {@code AsyncContext.start} task) reaches the servlet
   * context it ran in: a thread created for a gateway request would pin the gateway's class loader
   * after undeploy, which is the server's doing, not the gateway's (a heap dump showed an idle
   * worker thread parked with the gateway's {@code AsyncContext} task in its frame). So concurrent
   * slow requests to a plain JSP create every thread first; threads above a core, if any, end after
   * one idle second instead of sixty. Tests that check for leaks run fewer requests at once than
   * {@code threads}.
   */
  void fixWorkerPool(int threads) throws Exception {
    String worker = "/subsystem=io/worker=default:write-attribute(name=";
    cli(worker + "task-core-threads,value=" + threads + ")").assertSucceeded();
    cli(worker + "task-max-threads,value=" + threads + ")").assertSucceeded();
    cli("reload").assertSucceeded();
    cli(worker + "task-keepalive,value=1000)").assertSucceeded();
    Path warmUp = Files.createDirectories(base.resolve("test-wars")).resolve("warm-up.war");
    ShrinkWrap.create(WebArchive.class, "warm-up.war")
        .addAsWebResource(new StringAsset("<% Thread.sleep(300); %>warm"), "slow.jsp")
        .as(ZipExporter.class)
        .exportTo(warmUp.toFile(), true);
    cli("deploy " + warmUp).assertSucceeded();
    // truly at once: the common fork-join pool runs one task at a time on a two-core machine
    ExecutorService clients = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        answers.add(clients.submit(() -> get("/warm-up/slow.jsp").statusCode()));
      }
      for (Future<Integer> answer : answers) {
        int status = answer.get(30, TimeUnit.SECONDS);
        if (status != 200) {
          throw new AssertionError("warm-up request answered " + status);
        }
      }
    } finally {
      clients.shutdownNow();
    }
  }

  /** GET {@code path} (with query), sending {@code headers} (name, value, name, value...). */
  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    return LoopbackHttp.get(httpPort, path, headers);
  }

  /** How far server.log goes now: {@link #serverLogSince} reads what is written after it. */
  long serverLogMark() throws IOException {
    Path log = serverLog();
    return Files.exists(log) ? Files.size(log) : 0;
  }

  /** What WildFly wrote to server.log after {@code mark}. */
  String serverLogSince(long mark) throws IOException {
    byte[] all = Files.readAllBytes(serverLog());
    return new String(all, (int) mark, all.length - (int) mark, StandardCharsets.UTF_8);
  }

  /** Lines of server.log after {@code mark} logged at ERROR by WildFly (or anything in it). */
  List<String> errorsSince(long mark) throws IOException {
    return serverLogSince(mark).lines().filter(l -> l.matches("^\\S+ \\S+ ERROR .*")).toList();
  }

  /**
   * Stops WildFly as an operator would (SIGTERM, which the script relays to the server: a graceful
   * shutdown) and checks every process and the HTTP port are gone.
   */
  void stop() throws InterruptedException {
    try {
      ProcessTrees.stopGracefully(process, STOP_TIMEOUT, httpPort, this);
    } finally {
      LIVE.remove(process.toHandle());
    }
  }

  /**
   * Waits for WildFly to exit on its own (a management {@code :shutdown}); fails after {@code
   * timeout}.
   */
  void awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(this + " still running " + timeout + " after a shutdown");
    }
    LIVE.remove(process.toHandle());
  }

  /** Kills whatever is left of this WildFly, at once; safe to call at any time. */
  @Override
  public void close() {
    if (process != null) {
      ProcessHandle handle = process.toHandle();
      ProcessTrees.kill(handle);
      LIVE.remove(handle);
    }
  }

  /** What {@code standalone.sh} and the server wrote to standard output and error. */
  String console() throws IOException {
    return Files.readString(consoleFile(), StandardCharsets.UTF_8);
  }

  /** server.log: everything WildFly logs, captured standard output of deployments included. */
  String serverLogText() throws IOException {
    return Files.exists(serverLog()) ? Files.readString(serverLog(), StandardCharsets.UTF_8) : "";
  }

  Path base() {
    return base;
  }

  Distribution distribution() {
    return distribution;
  }

  /** The management interface, as jboss-cli's {@code --controller} takes it. */
  String controller() {
    return "127.0.0.1:" + managementPort;
  }

  @Override
  public String toString() {
    return distribution + " on port " + httpPort + " (base " + base + ")";
  }

  private Map<String, String> scriptEnvironment() {
    return Map.of(
        "JAVA_HOME", System.getProperty("java.home"),
        "JBOSS_HOME", distribution.home().toString(),
        "WILDFLY_CONTROLLER", controller());
  }

  private Path commandOutput(String kind) {
    return base.resolve("commands").resolve(commands.incrementAndGet() + "-" + kind + ".out");
  }

  private Path consoleFile() {
    return base.resolve("console.out");
  }

  private Path pidFile() {
    return base.resolve("wildfly.pid");
  }

  private Path serverLog() {
    return base.resolve("log/server.log");
  }

  private String consoleTail() {
    try {
      List<String> lines = Files.readAllLines(consoleFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no console output: " + e + ")";
    }
  }
}
