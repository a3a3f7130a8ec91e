package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.TomcatServer.Distribution;
import dev.gatewaywar.testing.Keycloak;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
 * Each test holds a request in the proxy servlet (half an upload) and looks at the thread serving
 * it in a thread dump.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TomcatKitIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final Path BASES = WAR.getParent().resolve("it-tomcat");
  private static final Path KIT = Path.of("deploy/tomcat");

  private final List<TomcatServer> servers = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch arrived = new CountDownLatch(1);
  private TestUpstream upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle(
        "/held",
        e -> {
          // before record(), which reads the body: the client sends only half of it until then
          arrived.countDown();
          TestUpstream.record(e);
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          TestUpstream.respond(e, 200, "released");
        });
  }

  @AfterEach
  void killEverything() {
    release.countDown();
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

    String dump =
        whileARequestIsHeld(
            tomcat,
            () -> {
              Path file = tomcat.base().resolve("temp/threads.txt");
              tomcat.jcmd("Thread.dump_to_file", "-overwrite", file.toString());
              return Files.readString(file);
            });

    String serving = threadServing(dump);
    assertTrue(serving.contains("virtual"), serving);
    assertTrue(serving.contains("\"gateway-vt-"), serving);
  }

  @Test
  void platformExecutorSnippetForJava17ServesRequestsFromItsPool() throws Exception {
    TomcatServer tomcat = tomcat("tomcat10.home", "java17-executor", "server-executor-java17.xml");

    String dump = whileARequestIsHeld(tomcat, () -> tomcat.jcmd("Thread.print"));

    String serving = threadServing(dump);
    assertTrue(serving.startsWith("\"gateway-exec-"), serving);
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

  private interface Dump {
    String take() throws Exception;
  }

  /**
   * Starts the Tomcat and takes a dump while a request thread is busy in the gateway: the proxy
   * waits for no upstream on a thread (ResponseRelay), but it copies a client's upload on the
   * request thread, so a client that sends half its body holds one there.
   */
  private String whileARequestIsHeld(TomcatServer tomcat, Dump dump) throws Exception {
    startWithRoute(tomcat, "/held");
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), tomcat.port())) {
      client.setSoTimeout(10_000);
      OutputStream out = client.getOutputStream();
      out.write(
          ("POST /held HTTP/1.1\r\nHost: gw\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
                  + "hello")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(arrived.await(10, TimeUnit.SECONDS), "the request reached the upstream");
      String threads = dump.take();
      out.write("world".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      release.countDown();
      String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.endsWith("released"), answer);
      tomcat.stop();
      return threads;
    }
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

  /** The one thread whose stack is in the gateway's proxy servlet, with its header line. */
  private static String threadServing(String dump) {
    Predicate<String> inProxy = t -> t.contains("dev.gatewaywar.proxy.ProxyServlet");
    List<String> serving =
        Arrays.stream(dump.split("\n\\s*\n")).map(String::strip).filter(inProxy).toList();
    assertEquals(1, serving.size(), () -> "threads in the proxy servlet:\n" + dump);
    return serving.get(0);
  }
}
