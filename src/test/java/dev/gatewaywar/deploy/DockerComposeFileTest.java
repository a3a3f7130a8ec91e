package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/docker-compose.yml checked with what runs here (no Docker engine): every file it mounts
 * into Tomcat exists (or is what the build makes), the config it mounts loads strictly, setenv.sh
 * gets what it reads, and the services it takes from deploy/observability meet on the same ports.
 */
class DockerComposeFileTest {
  private static final Path DIR = Path.of("deploy");

  /** What `mvn verify` makes under target/, the only mounted files not in the repository. */
  private static final List<String> BUILD_OUTPUTS =
      List.of("../target/gateway.war", "../target/otel-agent/opentelemetry-javaagent.jar");

  private static final String TOMCAT = "/usr/local/tomcat";

  private static Map<String, Object> services;
  private static Map<String, Object> gateway;
  private static Map<String, String> mounts; // container path -> host path, as written

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws IOException {
    Map<String, Object> compose = yaml(DIR.resolve("docker-compose.yml"));
    services = (Map<String, Object>) compose.get("services");
    gateway = (Map<String, Object>) services.get("gateway");
    mounts = new HashMap<>();
    for (String volume : (List<String>) gateway.get("volumes")) {
      String[] parts = volume.split(":");
      assertEquals("ro", parts[2], volume + ": mounted read-only");
      mounts.put(parts[1], parts[0]);
    }
  }

  @Test
  void everyMountedFileIsInTheRepositoryOrBuiltByMaven() throws IOException {
    for (String host : mounts.values()) {
      if (BUILD_OUTPUTS.contains(host)) {
        continue;
      }
      assertTrue(Files.isRegularFile(DIR.resolve(host)), host + " does not exist");
    }
    String pom = Files.readString(Path.of("pom.xml"));
    assertTrue(pom.contains("<finalName>gateway</finalName>"), "target/gateway.war");
    assertTrue(
        pom.contains("<outputDirectory>${project.build.directory}/otel-agent</outputDirectory>"),
        "target/otel-agent/");
  }

  @Test
  void tomcatGetsTheWarAsRootAndSetenvFromTheKit() {
    assertTrue(((String) gateway.get("image")).startsWith("tomcat:11"));
    assertEquals("../target/gateway.war", mounts.get(TOMCAT + "/webapps/ROOT.war"));
    assertEquals("./tomcat/setenv.sh", mounts.get(TOMCAT + "/bin/setenv.sh"));
    assertEquals(
        "../target/otel-agent/opentelemetry-javaagent.jar",
        mounts.get(environment().get("OTEL_JAVAAGENT_JAR")));
  }

  @Test
  void mountedConfigLoadsStrictlyAndPrometheusScrapesItsMetricsPath() throws Exception {
    String host = mounts.get(environment().get("GATEWAY_CONFIG"));
    GatewayConfig config =
        new ConfigLoader(
                MiddlewareRegistry.standard(
                    DockerComposeFileTest.class.getClassLoader(), GatewayMetrics.create()),
                name -> null)
            .load(DIR.resolve(host));

    Map<String, Object> job = scrapeJob();
    // deployed as ROOT.war: the gateway's paths are the URL paths
    assertEquals(config.metrics().path(), job.get("metrics_path"));
    assertTrue(config.metrics().enabled());
  }

  @Test
  @SuppressWarnings("unchecked")
  void portsAgreeAcrossTheServices() throws IOException {
    // Tomcat's image listens on 8080; Prometheus scrapes the gateway service there
    assertEquals(List.of("8080:8080"), gateway.get("ports"));
    List<String> targets =
        (List<String>)
            ((List<Map<String, Object>>) scrapeJob().get("static_configs")).get(0).get("targets");
    assertEquals(List.of("gateway:8080"), targets);

    URI otlp = URI.create(environment().get("OTEL_EXPORTER_OTLP_ENDPOINT"));
    assertEquals("grpc", environment().get("OTEL_EXPORTER_OTLP_PROTOCOL"));
    assertTrue(services.containsKey(otlp.getHost()), otlp.getHost() + " is a service");
    Map<String, Object> observability =
        (Map<String, Object>) yaml(DIR.resolve("observability/docker-compose.yml")).get("services");
    List<String> collectorPorts =
        (List<String>) ((Map<String, Object>) observability.get(otlp.getHost())).get("ports");
    assertTrue(
        collectorPorts.contains(otlp.getPort() + ":" + otlp.getPort()), collectorPorts.toString());
  }

  @Test
  @SuppressWarnings("unchecked")
  void extendedServicesExistInTheObservabilityStack() throws IOException {
    Map<String, Object> observability =
        (Map<String, Object>) yaml(DIR.resolve("observability/docker-compose.yml")).get("services");
    for (String name : List.of("upstream", "jaeger", "prometheus", "grafana")) {
      Map<String, Object> extended =
          (Map<String, Object>) ((Map<String, Object>) services.get(name)).get("extends");
      assertEquals("observability/docker-compose.yml", extended.get("file"), name);
      Map<String, Object> base = (Map<String, Object>) observability.get(extended.get("service"));
      // Compose refuses to extend a service that has depends_on
      assertTrue(base != null && !base.containsKey("depends_on"), name);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment() {
    return (Map<String, String>) gateway.get("environment");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> scrapeJob() throws IOException {
    Map<String, Object> prometheus = yaml(DIR.resolve("observability/prometheus.yml"));
    return ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }
}
