package dev.gatewaywar.deploy;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.ProcessTrees;
import dev.gatewaywar.testing.TestFiles;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * One real Tomcat from an unpacked distribution (CATALINA_HOME), run on a fresh CATALINA_BASE of
 * its own: a copy of the distribution's {@code conf/} with the one HTTP connector moved to a free
 * loopback port and the shutdown port disabled. The process is {@code bin/catalina.sh run}, which
 * execs the JVM, so stopping means signalling that process; nothing else ever stops it.
 */
final class TomcatServer implements AutoCloseable {
  /** Every bound below: a start, a stop, one request. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Tomcats still alive, killed by a shutdown hook should the test JVM end without cleaning up. */
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(ProcessTrees::kill), "kill-tomcats"));
  }

  /** An unpacked Tomcat distribution, named after its directory (apache-tomcat-11.0.24). */
  record Distribution(Path home) {
    @Override
    public String toString() {
      return home.getFileName().toString();
    }
  }

  private final Distribution distribution;
  private final Path base;
  private final int port;
  private final List<String> jvmOptions = new ArrayList<>();
  private final Map<String, String> environment = new java.util.LinkedHashMap<>();
  private Path javaHome = Path.of(System.getProperty("java.home"));
  private Process process;

  private TomcatServer(Distribution distribution, Path base, int port) {
    this.distribution = distribution;
    this.base = base;
    this.port = port;
  }

  /**
   * Makes a fresh CATALINA_BASE at {@code base} (whatever was there is deleted first; what a run
   * leaves stays for reading after a failure).
   */
  static TomcatServer create(Distribution distribution, Path base) throws IOException {
    Path home = distribution.home();
    if (!Files.isRegularFile(home.resolve("bin/catalina.sh"))) {
      throw new IllegalStateException(
          "no Tomcat distribution at " + home + "; run through `mvn verify`, which unpacks it");
    }
    TestFiles.deleteTree(base);
    for (String dir : List.of("conf", "logs", "temp", "webapps", "work")) {
      Files.createDirectories(base.resolve(dir));
    }
    try (Stream<Path> files = Files.list(home.resolve("conf"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, base.resolve("conf").resolve(f.getFileName()));
      }
    }
    int port = FreePortForArquillian.freePort();
    rewriteServerXml(base.resolve("conf/server.xml"), port);
    return new TomcatServer(distribution, base, port);
  }

  /** Adds JVM options (no whitespace inside one) to those {@link #start} passes to Tomcat. */
  TomcatServer withJvmOptions(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  /** Sets an environment variable for the Tomcat process. */
  TomcatServer withEnvironment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** Runs Tomcat on the JDK at {@code home} instead of the one running the tests. */
  TomcatServer withJavaHome(Path home) {
    javaHome = home;
    return this;
  }

  /**
   * Copies {@code war} into webapps/ as {@code name} (ROOT.war serves at /, x.war at /x). The copy
   * is made beside webapps/ and moved in at once, so a running Tomcat's auto-deployer never sees
   * half a WAR.
   */
  TomcatServer deploy(Path war, String name) throws IOException {
    moveInto(base.resolve("webapps").resolve(name), war);
    return this;
  }

  /**
   * Deploys the distribution's own manager webapp (a copy of webapps/manager, with its stock {@code
   * META-INF/context.xml}: loopback clients only) and writes conf/tomcat-users.xml with one user
   * holding {@code roles}, as an operator sets up {@code /manager/jmxproxy}.
   */
  TomcatServer withManager(String user, String password, String... roles) throws IOException {
    Path from = distribution.home().resolve("webapps/manager");
    Path to = base.resolve("webapps/manager");
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
    Files.writeString(
        base.resolve("conf/tomcat-users.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
          <user username="%s" password="%s" roles="%s"/>
        </tomcat-users>
        """
            .formatted(user, password, String.join(",", roles)),
        StandardCharsets.UTF_8);
    return this;
  }

  /** Writes {@code path} (relative to CATALINA_BASE) at once: a temporary file, then a move. */
  Path writeAtomically(String path, String content) throws IOException {
    Path staged = Files.writeString(base.resolve("temp/staged"), content, StandardCharsets.UTF_8);
    Path target = base.resolve(path);
    Files.createDirectories(target.getParent());
    return Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
  }

  private void moveInto(Path target, Path source) throws IOException {
    Path staged = base.resolve("temp/staged");
    Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Removes webapps/{@code name} from a running Tomcat, whose auto-deployer then undeploys it (the
   * Engine checks every second, see {@link #rewriteServerXml}), and waits until the expanded
   * directory is gone too: Tomcat deletes it only after the context has stopped.
   */
  void undeploy(String name) throws IOException, InterruptedException {
    Path webapps = base.resolve("webapps");
    Files.delete(webapps.resolve(name));
    Path expanded = webapps.resolve(name.replaceFirst("\\.war$", ""));
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    while (Files.exists(expanded)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(this + " did not undeploy " + name + " within " + STOP_TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until GET {@code path} answers {@code status} (a webapp deployed or undeployed by the
   * auto-deployer while Tomcat runs).
   */
  void awaitStatus(String path, int status) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    int last;
    while ((last = get(path).statusCode()) != status) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError(
            "GET " + path + " still answers " + last + ", not " + status + ":\n" + consoleTail());
      }
      Thread.sleep(100);
    }
  }

  /** Runs {@code jcmd <tomcat's pid> command...} with Tomcat's own JDK; its output. */
  String jcmd(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(javaHome.resolve("bin/jcmd").toString());
    line.add(Long.toString(process.pid()));
    line.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
    byte[] out = jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      jcmd.destroyForcibly();
      throw new AssertionError("jcmd " + List.of(command) + " failed: " + new String(out));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * Starts {@code catalina.sh run} with {@code -Dgateway.config=config} and waits until the HTTP
   * connector answers. Tomcat deploys the webapps before it starts its connectors, so the first
   * answer means every webapp has started (or failed to).
   */
  void start(Path config) throws IOException, InterruptedException {
    if (config.toString().chars().anyMatch(Character::isWhitespace)) {
      // catalina.sh word-splits CATALINA_OPTS
      throw new IllegalArgumentException("path with whitespace: " + config);
    }
    start(" -Dgateway.config=" + config);
  }

  /**
   * Starts Tomcat without {@code -Dgateway.config}: each webapp finds its config another way (a
   * context init-param, {@code bin/setenv.sh}, an environment variable).
   */
  void start() throws IOException, InterruptedException {
    start("");
  }

  private void start(String configOption) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/sh", distribution.home().resolve("bin/catalina.sh").toString(), "run")
            .directory(base.toFile())
            .redirectErrorStream(true)
            .redirectOutput(consoleFile().toFile());
    Map<String, String> env = builder.environment();
    for (String inherited :
        List.of(
            "JAVA_OPTS",
            "JRE_HOME",
            "CATALINA_PID",
            "CATALINA_TMPDIR",
            "GATEWAY_CONFIG",
            "LOGGING_CONFIG",
            "LOGGING_MANAGER",
            "JPDA_OPTS",
            "CLASSPATH")) {
      env.remove(inherited);
    }
    env.put("JAVA_HOME", javaHome.toString());
    env.put("CATALINA_HOME", distribution.home().toString());
    env.put("CATALINA_BASE", base.toString());
    env.put(
        "CATALINA_OPTS",
        "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + configOption
            + jvmOptions.stream().map(o -> " " + o).collect(Collectors.joining()));
    env.putAll(environment);
    process = builder.start();
    LIVE.add(process.toHandle());
    awaitFirstAnswer();
  }

  private void awaitFirstAnswer() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(
            this + " exited with " + process.exitValue() + " before answering:\n" + consoleTail());
      }
      try {
        get("/");
        return;
      } catch (ConnectException | HttpTimeoutException notYet) {
        // connector not started yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            this + " did not answer within " + START_TIMEOUT + ":\n" + consoleTail());
      }
      Thread.sleep(100);
    }
  }

  /** GET {@code path} (with query), sending {@code headers} (name, value, name, value...). */
  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    return LoopbackHttp.get(port, path, headers);
  }

  /**
   * Stops Tomcat as an operator would (SIGTERM: its shutdown hook stops and undeploys every webapp,
   * which is when it reports leaks) and checks the process and any children are gone.
   */
  void stop() throws InterruptedException {
    try {
      ProcessTrees.stopGracefully(process, STOP_TIMEOUT, port, this);
    } finally {
      LIVE.remove(process.toHandle());
    }
  }

  /** Kills whatever is left of this Tomcat, at once; safe to call at any time. */
  @Override
  public void close() {
    if (process != null) {
      ProcessHandle handle = process.toHandle();
      ProcessTrees.kill(handle);
      LIVE.remove(handle);
    }
  }

  /** What {@code catalina.sh run} wrote to standard output and error (catalina.out, in effect). */
  String console() throws IOException {
    return Files.readString(consoleFile(), StandardCharsets.UTF_8);
  }

  private Path consoleFile() {
    return base.resolve("logs/console.out");
  }

  /** The console output and every file Tomcat wrote under logs/, one after the other. */
  String allLogs() throws IOException {
    try (Stream<Path> files = Files.list(base.resolve("logs"))) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.sorted().toList()) {
        all.append("==> ").append(f.getFileName()).append(" <==\n");
        all.append(Files.readString(f, StandardCharsets.UTF_8));
      }
      return all.toString();
    }
  }

  private String consoleTail() {
    try {
      List<String> lines = Files.readAllLines(consoleFile(), StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream()
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(no console output: " + e + ")";
    }
  }

  Path base() {
    return base;
  }

  /** The HTTP connector's port, for clients of the test's own. */
  int port() {
    return port;
  }

  @Override
  public String toString() {
    return distribution + " on port " + port + " (CATALINA_BASE " + base + ")";
  }

  /** Changes conf/server.xml (before {@link #start}); the connector keeps its port and address. */
  TomcatServer editServerXml(Consumer<Document> edit) throws IOException {
    Path serverXml = base.resolve("conf/server.xml");
    Document doc = parseXml(serverXml);
    edit.accept(doc);
    NodeList connectors = doc.getElementsByTagName("Connector");
    for (int i = 0; i < connectors.getLength(); i++) {
      Element c = (Element) connectors.item(i);
      c.setAttribute("port", Integer.toString(port));
      c.setAttribute("address", "127.0.0.1");
    }
    writeXml(doc, serverXml);
    return this;
  }

  static Document parseXml(Path file) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(file.toFile());
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot parse " + file, e);
    }
  }

  private static void writeXml(Document doc, Path file) throws IOException {
    try {
      TransformerFactory.newInstance()
          .newTransformer()
          .transform(new DOMSource(doc), new StreamResult(file.toFile()));
    } catch (Exception e) {
      throw new IOException("cannot write " + file, e);
    }
  }

  /**
   * Shutdown port off (-1: only the signal stops it); the one connector on loopback:port; the
   * Engine's background processor (which runs the auto-deployer) every second instead of every ten,
   * so tests that add or remove a WAR while Tomcat runs wait less.
   */
  private static void rewriteServerXml(Path serverXml, int port) throws IOException {
    Document doc = parseXml(serverXml);
    doc.getDocumentElement().setAttribute("port", "-1");
    ((Element) doc.getElementsByTagName("Engine").item(0))
        .setAttribute("backgroundProcessorDelay", "1");
    NodeList connectors = doc.getElementsByTagName("Connector");
    if (connectors.getLength() != 1) {
      throw new IllegalStateException(
          serverXml + ": expected one Connector, found " + connectors.getLength());
    }
    Element http = (Element) connectors.item(0);
    http.setAttribute("port", Integer.toString(port));
    http.setAttribute("address", "127.0.0.1");
    writeXml(doc, serverXml);
  }
}
