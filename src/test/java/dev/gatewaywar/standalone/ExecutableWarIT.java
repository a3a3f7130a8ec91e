package dev.gatewaywar.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
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
