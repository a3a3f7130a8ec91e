package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.Keycloak;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * deploy/tomcat's connector snippets applied to a stock Tomcat's conf/server.xml: the
 * virtual-thread executor on Tomcat 11 and Java 21+, the platform pool on Tomcat 10.1 and Java 17.
 * Each test looks up the thread that served a request in Tomcat's own access log.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatKitIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");
  private static final Path KIT = Path.of("deploy/tomcat");

  private final List<TomcatServer> servers = new ArrayList<>();
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void killEverything() {
    servers.forEach(TomcatServer::close);
    upstream.close();
  }

  @Test
  void virtualThreadExecutorSnippetServesEachRequestOnAVirtualThread() throws Exception {
    Path java21 =
        Keycloak.javaHome() // the first Java 21+ found: -Dkeycloak.java.home, /usr/lib/jvm/...
            .orElse(null);
    Assumptions.assumeTrue(java21 != null, "virtual threads need a Java 21+ JDK; none found");
    TomcatServer tomcat =
        tomcat("tomcat11.home", "virtual-threads", "server-executor.xml").withJavaHome(java21);

    String thread = threadServingARequest(tomcat);

    assertTrue(thread.startsWith("gateway-vt-"), thread);
  }

  @Test
  void platformExecutorSnippetForJava17ServesRequestsFromItsPool() throws Exception {
    TomcatServer tomcat = tomcat("tomcat10.home", "java17-executor", "server-executor-java17.xml");

    String thread = threadServingARequest(tomcat);

    assertTrue(thread.startsWith("gateway-exec-"), thread);
  }

  @Test
  void errorReportSnippetAnswersRefusedRequestsWithoutInternals() throws Exception {
    for (String home : List.of("tomcat10.home", "tomcat11.home")) {
      Distribution distribution =
          new Distribution(Path.of(System.getProperty(home, "missing-" + home)));
      TomcatServer tomcat =
          TomcatServer.create(distribution, BASES.resolve(distribution + "-error-report"));
      servers.add(tomcat);
      Document kit = TomcatServer.parseXml(KIT.resolve("server-error-report.xml"));
      tomcat.editServerXml(doc -> addToHost(doc, kit));
      Path errors = tomcat.base().resolve("conf/gateway-errors");
      Files.createDirectories(errors);
      try (var files = Files.list(KIT.resolve("gateway-errors"))) {
        for (Path f : files.toList()) {
          Files.copy(f, errors.resolve(f.getFileName()));
        }
      }
      startWithRoute(tomcat.deploy(WAR, "ROOT.war"), "/*");
      upstream.clear(); // start() waits for a first answer, which this catch-all route proxied

      RefusedRequests.assertAnsweredWithoutInternals(tomcat.port());
      RawHttp.Response big =
          RawHttp.send(
              tomcat.port(),
              "GET /x HTTP/1.1\nHost: gw\nX-Big: " + "a".repeat(9000) + "\nConnection: close\n\n");
      assertEquals(400, big.status());
      assertEquals("{\"error\":\"bad request\"}", big.body());
      assertTrue(upstream.noRequestWithin(200));
      tomcat.stop();
    }
  }

  /** What the error-report snippet's comment says: its Host's children go into the Host. */
  private static void addToHost(Document serverXml, Document snippet) {
    Element host = (Element) serverXml.getElementsByTagName("Host").item(0);
    for (Node child : nodes(snippet.getDocumentElement())) {
      if (child instanceof Element) {
        host.appendChild(serverXml.importNode(child, true));
      }
    }
  }

  /** A Tomcat with the kit's snippet in place of its HTTP connector, and the WAR as ROOT. */
  private TomcatServer tomcat(String home, String scenario, String snippet) throws Exception {
    Distribution distribution =
        new Distribution(Path.of(System.getProperty(home, "missing-" + home)));
    TomcatServer tomcat =
        TomcatServer.create(distribution, BASES.resolve(distribution + "-" + scenario));
    servers.add(tomcat);
    Document kit = TomcatServer.parseXml(KIT.resolve(snippet));
    tomcat.editServerXml(doc -> applySnippet(doc, kit));
    return tomcat.deploy(WAR, "ROOT.war");
  }

  /** What the snippet's comment tells an operator to do: its elements replace the Connector. */
  private static void applySnippet(Document serverXml, Document snippet) {
    Element service = (Element) serverXml.getElementsByTagName("Service").item(0);
    Node connector = serverXml.getElementsByTagName("Connector").item(0);
    Node[] children = nodes(snippet.getDocumentElement());
    for (Node child : children) {
      if (child instanceof Element) {
        service.insertBefore(serverXml.importNode(child, true), connector);
      }
    }
    service.removeChild(connector);
  }

  private static Node[] nodes(Element parent) {
    Node[] all = new Node[parent.getChildNodes().getLength()];
    for (int i = 0; i < all.length; i++) {
      all[i] = parent.getChildNodes().item(i);
    }
    return all;
  }

  /**
   * Starts the Tomcat and returns the name of the thread that served a request the gateway answers
   * on the request thread itself (its health endpoint), as Tomcat's own access log records it
   * ({@code %I}). A proxied request no longer holds a request thread anywhere a dump could catch
   * it: the upstream is waited for, and an upload read, without one.
   */
  private String threadServingARequest(TomcatServer tomcat) throws Exception {
    tomcat.editServerXml(TomcatKitIT::logRequestThreads);
    startWithRoute(tomcat, "/held");
    RawHttp.Response health =
        RawHttp.send(tomcat.port(), "GET /healthz HTTP/1.1\nHost: gw\nConnection: close\n\n");
    assertEquals(200, health.status(), health.body());
    tomcat.stop();
    Path log;
    try (var files = Files.list(tomcat.base().resolve("logs"))) {
      log =
          files
              .filter(f -> f.getFileName().toString().startsWith("request-threads"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("Tomcat wrote no request-threads log"));
    }
    List<String> lines =
        Files.readAllLines(log).stream().filter(l -> l.endsWith("GET /healthz HTTP/1.1")).toList();
    assertEquals(1, lines.size(), () -> "request-threads log: " + lines);
    return lines.get(0).substring(0, lines.get(0).indexOf(' '));
  }

  /** An access log valve on the Host writing each request's thread name ({@code %I}) first. */
  private static void logRequestThreads(Document serverXml) {
    Element host = (Element) serverXml.getElementsByTagName("Host").item(0);
    Element valve = serverXml.createElement("Valve");
    valve.setAttribute("className", "org.apache.catalina.valves.AccessLogValve");
    valve.setAttribute("directory", "logs");
    valve.setAttribute("prefix", "request-threads");
    valve.setAttribute("suffix", ".txt");
    valve.setAttribute("buffered", "false");
    valve.setAttribute("pattern", "%I %r");
    host.appendChild(valve);
  }

  /** Starts the Tomcat with a gateway config of one route, {@code path}, to the test upstream. */
  private void startWithRoute(TomcatServer tomcat, String path) throws Exception {
    Path config =
        Files.writeString(
            tomcat.base().resolve("gateway.yaml"),
            "routes:\n  - path: " + path + "\n    target: " + upstream.url() + "\n",
            StandardCharsets.UTF_8);
    tomcat.start(config);
  }
}
