package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.Keycloak;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/gateway.war}: the packaged WAR as an executable. */
class ExecutableWarIT {
  @TempDir Path dir;

  @Test
  void embeddedTomcatIsPackedWhereAppServersNeverLoadIt() throws Exception {
    try (ZipFile war = new ZipFile(GatewayProcess.war().toFile())) {
      assertTrue(war.stream().noneMatch(e -> e.getName().matches("WEB-INF/lib/tomcat-.*\\.jar")));
      assertTrue(
          war.stream()
              .anyMatch(e -> e.getName().matches("WEB-INF/standalone/tomcat-embed-core-.*\\.jar")));
      assertTrue(
          war.stream()
              .noneMatch(e -> e.getName().startsWith("WEB-INF/classes/dev/gatewaywar/launcher/")));
    }
  }

  @Test
  void runsOnItsOwnWithTheGivenConfig() throws Exception {
    try (TestUpstream upstream = TestUpstream.start()) {
      int port = FreePortForArquillian.freePort();
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          "server:\n  port: "
              + port
              + "\nroutes:\n  - path: /users/:id\n    target: "
              + upstream.url()
              + "\n");
      try (GatewayProcess gateway =
          GatewayProcess.start(List.of(), port, "--config", config.toString())) {
        RawHttp.Response r =
            RawHttp.send(port, "GET /users/42 HTTP/1.1\nHost: gw\nConnection: close\n\n");
        assertEquals(200, r.status());
        assertEquals("/users/42", upstream.nextRequest().rawUri());
        assertEquals(
            404,
            RawHttp.send(port, "GET /nope HTTP/1.1\nHost: gw\nConnection: close\n\n").status());
      }
    }
  }

  /**
   * The default users get on Java 21+: requests on virtual threads. The build's own JVM may be
   * older, so the WAR runs on the first Java 21+ found (CI fails when there is none).
   */
  @Test
  void runsOnVirtualThreadsOnJava21AndNewer() throws Exception {
    Path java21 = Keycloak.javaHome().orElse(null);
    Assumptions.assumeTrue(java21 != null, "no Java 21+ JDK found");
    try (TestUpstream upstream = TestUpstream.start()) {
      int port = FreePortForArquillian.freePort();
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          "server:\n  port: %d\nroutes:\n  - path: /*\n    target: %s\n"
              .formatted(port, upstream.url()));
      try (GatewayProcess gateway =
          GatewayProcess.startOn(java21, List.of(), port, "--config", config.toString())) {
        RawHttp.Response r =
            RawHttp.send(
                port,
                "POST /upload HTTP/1.1\nHost: gw\nContent-Length: 5\nConnection: close\n\nhello");
        assertEquals(200, r.status());
        assertEquals(5, upstream.nextRequest().bodyBytes());
        assertTrue(gateway.output().contains("requests run on virtual threads"), gateway.output());
      }
    }
  }

  @Test
  void checkReportsProblemsAndExits1() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config, "routes:\n  - path: /a\n    target: http://x\n    middleware: [auth]\n");
    GatewayProcess check = GatewayProcess.run("check", config.toString());
    assertEquals(1, check.exitCode(), check.output());
    assertTrue(
        check.output().contains("line 4: routes[0].middleware[0]: middleware 'auth'"),
        check.output());
  }

  @Test
  void checkAcceptsAGoodConfig() throws Exception {
    Path config = dir.resolve("good.yaml");
    Files.writeString(config, "routes:\n  - path: /a\n    target: http://x\n");
    GatewayProcess check = GatewayProcess.run("check", config.toString());
    assertEquals(0, check.exitCode(), check.output());
  }
}
