package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.deploy.WildFlyServer.Distribution;
import dev.gatewaywar.jmx.MBeanNames;
import dev.gatewaywar.testing.Commands;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's MBeans on a stock WildFly, read as jconsole reads them: WildFly's JMX over its
 * management interface ({@code service:jmx:remote+http://host:9990}) with the server's own client
 * jar and a management user made with {@code add-user.sh}. Attributes, requests counted, {@code
 * reload()} after the file changed, and after undeploy nothing of the gateway left in JMX, no
 * thread and no class loader. No request goes through the gateway here: WildFly's request threads
 * keep the first task they ran, and with it the deployment (WildFlyDistributionIT fixes its pool
 * and warms it up for that), which would hide what JMX leaves; counts are checked on Tomcat and in
 * process.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WildFlyJmxIT {
  private static final Path WAR = Path.of(System.getProperty("gateway.war", "target/gateway.war"));
  private static final String USER = "jmx-operator";
  private static final String PASSWORD = "Jmx-operator-1!";
  private static final MBeanNames NAMES = MBeanNames.of("/gateway", Optional.empty());

  private TestUpstream upstream;
  private WildFlyServer wildfly;

  @AfterEach
  void stop() {
    if (wildfly != null) {
      wildfly.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private String config(String path) {
    return """
        server:
          reload:
            enabled: false
        metrics:
          prometheus:
            enabled: true
        routes:
          - path: PATH
            target: UPSTREAM
            middleware: [metrics]
        """
        .replace("PATH", path)
        .replace("UPSTREAM", upstream.url());
  }

  @Test
  void mbeansAreReadAndReloadedThroughWildFlysJmxAndGoWithTheDeployment() throws Exception {
    upstream = TestUpstream.start();
    upstream.handle("/", e -> TestUpstream.respond(e, 200, "up"));
    Distribution distribution =
        new Distribution(Path.of(System.getProperty("wildfly.home", "missing-wildfly.home")));
    wildfly =
        WildFlyServer.create(
            distribution, WAR.getParent().resolve("it-wildfly/" + distribution + "-jmx"));
    addManagementUser();
    Path config =
        Files.writeString(
            wildfly.base().resolve("gateway.yaml"), config("/api/*"), StandardCharsets.UTF_8);
    wildfly.start();
    wildfly.cli("/system-property=gateway.config:add(value=" + config + ")").assertSucceeded();
    // the first management login starts a WildFly thread pool of its own (Elytron's): before the
    // baseline, so the threads left after undeploy are the deployment's only
    assertThrows(
        Exception.class,
        () -> WildFlyJmx.connect(wildfly, USER, "wrong").close(),
        "JMX without the management user's password");
    WildFlyJmx.connect(wildfly, USER, PASSWORD).close();
    Set<String> threadsBefore = LeftBehind.names(wildfly.threads());
    wildfly.cli("deploy " + WAR.toAbsolutePath() + " --name=gateway.war").assertSucceeded();

    ObjectName gateway = NAMES.gateway();
    ObjectName api = NAMES.route("/api/*", List.of());
    try (WildFlyJmx jmx = WildFlyJmx.connect(wildfly, USER, PASSWORD)) {
      ObjectName all = new ObjectName(MBeanNames.DOMAIN + ":*");
      assertEquals(Set.of(gateway, api, NAMES.upstream("/api/*", upstream.url())), jmx.names(all));
      assertEquals(config.toString(), jmx.get(gateway, "ConfigFile"));
      assertEquals(1, jmx.get(gateway, "RouteCount"));
      assertEquals("", jmx.get(gateway, "LastReloadError"));
      assertEquals(0L, jmx.get(api, "Requests"));
      assertEquals(0L, jmx.get(api, "ServerErrors"));
      assertEquals(true, jmx.get(NAMES.upstream("/api/*", upstream.url()), "Healthy"));
      Instant loadedAt = Instant.parse((String) jmx.get(gateway, "LoadedAt"));
      String digest = (String) jmx.get(gateway, "ConfigDigest");

      Thread.sleep(5);
      Files.writeString(config, config("/v2/*"), StandardCharsets.UTF_8);
      String result = (String) jmx.invoke(gateway, "reload");
      assertTrue(result.startsWith("loaded"), result);
      assertTrue(Instant.parse((String) jmx.get(gateway, "LoadedAt")).isAfter(loadedAt));
      assertTrue(!digest.equals(jmx.get(gateway, "ConfigDigest")));
      assertEquals(
          Set.of(gateway, NAMES.route("/v2/*", List.of()), NAMES.upstream("/v2/*", upstream.url())),
          jmx.names(all));

      wildfly.cli("undeploy gateway.war").assertSucceeded();
      assertEquals(Set.of(), jmx.names(all));
    }
    // WildFly's JMX remoting runs calls on a cached pool (pool-N-thread-M) that may have grown
    // after the baseline: its threads end after 60 s idle, so wait past that before counting
    wildfly.assertNothingLeftBehind("gateway.war", threadsBefore, Duration.ofSeconds(75));
  }

  /** {@code add-user.sh}: a user of the management realm, in this server's base. */
  private void addManagementUser() throws Exception {
    Commands.run(
            List.of(
                "/bin/sh",
                wildfly.distribution().home().resolve("bin/add-user.sh").toString(),
                "-m",
                "-sc",
                wildfly.base().resolve("configuration").toString(),
                "-u",
                USER,
                "-p",
                PASSWORD),
            Map.of("JAVA_HOME", System.getProperty("java.home")),
            wildfly.base().resolve("commands/add-user-" + USER + ".out"),
            Duration.ofSeconds(90))
        .assertSucceeded();
  }
}
