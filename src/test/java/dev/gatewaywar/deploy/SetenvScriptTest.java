package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/tomcat/setenv.sh sourced by a real POSIX shell ({@code /bin/sh}, dash on Debian) the way
 * catalina.sh sources it, twice in a row: the second time adds nothing. The start on a real Tomcat
 * is in TomcatObservabilityIT.
 */
class SetenvScriptTest {
  private static final Path SCRIPT = Path.of("deploy/tomcat/setenv.sh").toAbsolutePath();

  @TempDir Path base;

  @Test
  void defaultsNameTheConfigUnderConfAndAttachNoAgentThatIsNotThere() throws Exception {
    Map<String, String> out = source(Map.of());

    assertEquals(
        List.of(
            "-Dgateway.config=" + base + "/conf/gateway.yaml",
            "-XX:MaxRAMPercentage=75",
            "-XX:+ExitOnOutOfMemoryError"),
        options(out));
    assertEquals("", out.get("OTEL_SERVICE_NAME"));
  }

  @Test
  void agentInItsDefaultPlaceIsAttachedOnceWithServiceNameGateway() throws Exception {
    Path agent =
        Files.createDirectories(base.resolve("otel")).resolve("opentelemetry-javaagent.jar");
    Files.writeString(agent, "not really a jar: the script only checks it is there");

    Map<String, String> out = source(Map.of("GATEWAY_CONFIG", "/etc/gateway/gateway.yaml"));

    assertEquals(
        List.of(
            "-Dgateway.config=/etc/gateway/gateway.yaml",
            "-XX:MaxRAMPercentage=75",
            "-XX:+ExitOnOutOfMemoryError",
            "-javaagent:" + agent),
        options(out));
    assertEquals("gateway", out.get("OTEL_SERVICE_NAME"));
  }

  @Test
  void emptyGatewayConfigLeavesTheConfigToEachWebappsContext() throws Exception {
    Map<String, String> out = source(Map.of("GATEWAY_CONFIG", "", "GATEWAY_JVM_OPTS", ""));

    assertEquals(List.of(), options(out));
    assertEquals("", out.get("OTEL_SERVICE_NAME"), "no agent, nothing exported for it");
  }

  @Test
  void optionsAlreadyInCatalinaOptsAreKept() throws Exception {
    Path agent = Files.writeString(base.resolve("agent.jar"), "x");
    Map<String, String> out =
        source(
            Map.of(
                "CATALINA_OPTS",
                "-Dgateway.config=/mine.yaml -javaagent:/other.jar",
                "OTEL_JAVAAGENT_JAR",
                agent.toString()));

    assertEquals(
        List.of(
            "-Dgateway.config=/mine.yaml",
            "-javaagent:/other.jar",
            "-XX:MaxRAMPercentage=75",
            "-XX:+ExitOnOutOfMemoryError"),
        options(out));
  }

  private static List<String> options(Map<String, String> out) {
    String opts = out.get("CATALINA_OPTS").strip();
    return opts.isEmpty() ? List.of() : Arrays.asList(opts.split(" +"));
  }

  /** Sources the script twice as catalina.sh would; what it exported. */
  private Map<String, String> source(Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder sh =
        new ProcessBuilder(
            "/bin/sh",
            "-c",
            ". \"$1\"; . \"$1\"; sh -c 'printf \"%s\\n%s\\n\" \"$CATALINA_OPTS\" \"$OTEL_SERVICE_NAME\"'",
            "sh",
            SCRIPT.toString());
    Map<String, String> e = sh.environment();
    for (String name :
        List.of(
            "CATALINA_OPTS",
            "GATEWAY_CONFIG",
            "GATEWAY_JVM_OPTS",
            "OTEL_JAVAAGENT_JAR",
            "OTEL_SERVICE_NAME")) {
      e.remove(name);
    }
    e.put("CATALINA_HOME", base.toString());
    e.put("CATALINA_BASE", base.toString());
    e.putAll(env);
    Process p = sh.redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), printed);
    String[] lines = printed.split("\n", -1);
    return Map.of("CATALINA_OPTS", lines[0], "OTEL_SERVICE_NAME", lines[1]);
  }
}
