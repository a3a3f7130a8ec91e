package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigLocation;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.config.HealthConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s checked with what runs here (no cluster): the manifests parse, the ConfigMap's
 * gateway.yaml passes the gateway's strict loader with the environment the Deployment gives it, and
 * the Deployment, its probes, its mount and the Service agree with that config.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("deploy/k8s");
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

  private static Map<String, Object> configMap;
  private static Map<String, Object> deployment;
  private static Map<String, Object> service;

  @BeforeAll
  static void parseManifests() throws IOException {
    configMap = single("configmap.yaml", "ConfigMap");
    deployment = single("deployment.yaml", "Deployment");
    service = single("service.yaml", "Service");
  }

  @Test
  void configMapsGatewayYamlLoadsStrictlyWithTheDeploymentsEnvironment(@TempDir Path dir)
      throws Exception {
    GatewayConfig config = config(dir);

    assertFalse(config.routes().isEmpty());
    assertTrue(config.health().enabled(), "the probes need the health endpoints");
    assertTrue(config.metrics().enabled());
  }

  @Test
  void everyVariableTheConfigReadsIsSetByTheDeployment() {
    Set<String> referenced = new TreeSet<>();
    Matcher m = ENV_REFERENCE.matcher(gatewayYaml());
    while (m.find()) {
      referenced.add(m.group(1));
    }
    assertFalse(referenced.isEmpty(), "the JWT secret comes from the environment");
    assertTrue(env().keySet().containsAll(referenced), referenced + " not all in " + env());
  }

  @Test
  void probesAskTheGatewaysHealthEndpointsOnItsPort(@TempDir Path dir) throws Exception {
    GatewayConfig config = config(dir);
    Map<String, Object> container = container();

    assertEquals(HealthConfig.DEFAULT_READINESS_PATH, config.health().readinessPath());
    assertEquals(HealthConfig.DEFAULT_LIVENESS_PATH, config.health().livenessPath());
    assertEquals(config.health().readinessPath(), at(container, "readinessProbe.httpGet.path"));
    assertEquals(config.health().livenessPath(), at(container, "livenessProbe.httpGet.path"));
    Map<String, Object> port = list(container, "ports").get(0);
    assertEquals(config.server().port(), port.get("containerPort"));
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      assertEquals(port.get("name"), at(container, probe + ".httpGet.port"), probe);
    }
  }

  @Test
  void configMapIsMountedAsADirectoryWhereGatewayConfigPoints() {
    Map<String, Object> mount = list(container(), "volumeMounts").get(0);
    Map<String, Object> volume = list(at(deployment, "spec.template.spec"), "volumes").get(0);

    assertEquals(mount.get("name"), volume.get("name"));
    String configMapName = at(configMap, "metadata.name");
    assertEquals(configMapName, (String) at(volume, "configMap.name"));
    // a subPath mount is a copy the kubelet never updates: no hot reload through it
    assertFalse(mount.containsKey("subPath"), "mount the ConfigMap as a directory");
    String key = data().keySet().iterator().next();
    assertEquals(mount.get("mountPath") + "/" + key, env().get(ConfigLocation.ENVIRONMENT));
  }

  @Test
  void serviceSelectsThePodsAndTargetsTheirHttpPort() {
    Map<String, Object> podLabels = at(deployment, "spec.template.metadata.labels");
    Map<String, Object> selector = at(service, "spec.selector");
    assertEquals(at(deployment, "spec.selector.matchLabels"), selector);
    assertTrue(podLabels.entrySet().containsAll(selector.entrySet()));
    Map<String, Object> port = list(service, "spec.ports").get(0);
    assertEquals(list(container(), "ports").get(0).get("name"), port.get("targetPort"));
  }

  @Test
  void podStopsGracefully() {
    Map<String, Object> pod = at(deployment, "spec.template.spec");
    List<String> preStop = at(container(), "lifecycle.preStop.exec.command");
    int preStopSeconds = Integer.parseInt(preStop.get(preStop.size() - 1));
    int grace = (Integer) pod.get("terminationGracePeriodSeconds");
    assertTrue(
        grace >= preStopSeconds + 30,
        "after preStop the gateway needs time to drain in-flight requests: " + grace);
    assertEquals(Integer.valueOf(0), at(deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
  }

  @Test
  void dockerfileRunsTheBuiltWarAsTheEntryPoint() throws IOException {
    String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("COPY target/gateway.war /opt/gateway/gateway.war"));
    assertTrue(
        dockerfile.contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/gateway/gateway.war\"]"));
    assertEquals("registry.example.com/gateway-war:0.1.0", container().get("image"));
    assertTrue(dockerfile.contains("-t " + container().get("image")), "the build line's tag");
  }

  private static GatewayConfig config(Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), gatewayYaml());
    Map<String, String> environment = new HashMap<>(env());
    environment.replaceAll((name, value) -> value == null ? "a-secret-from-the-secret" : value);
    MiddlewareRegistry registry =
        MiddlewareRegistry.standard(
            KubernetesManifestsTest.class.getClassLoader(), GatewayMetrics.create());
    return new ConfigLoader(registry, environment::get).load(file);
  }

  private static String gatewayYaml() {
    return (String) data().get("gateway.yaml");
  }

  private static Map<String, Object> data() {
    Map<String, Object> data = at(configMap, "data");
    assertEquals(1, data.size(), "one file in the ConfigMap: " + data.keySet());
    return data;
  }

  private static Map<String, Object> container() {
    List<Map<String, Object>> containers = list(at(deployment, "spec.template.spec"), "containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  /** The container's environment: a literal value, or null for one taken from a Secret. */
  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> e : list(container(), "env")) {
      env.put((String) e.get("name"), (String) e.get("value"));
    }
    return env;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> single(String file, String kind) throws IOException {
    String text = Files.readString(DIR.resolve(file), StandardCharsets.UTF_8);
    Map<String, Object> found = null;
    for (Object doc : new Yaml().loadAll(text)) {
      Map<String, Object> manifest = (Map<String, Object>) doc;
      if (kind.equals(manifest.get("kind"))) {
        assertEquals(null, found, "one " + kind + " in " + file);
        found = manifest;
      }
    }
    assertNotNull(found, "no " + kind + " in " + file);
    return found;
  }

  /** The value at a dotted path of maps. */
  @SuppressWarnings("unchecked")
  private static <T> T at(Map<String, Object> root, String dotted) {
    Object node = root;
    for (String key : dotted.split("\\.")) {
      assertTrue(node instanceof Map, () -> dotted + ": not a map at " + key);
      node = ((Map<String, Object>) node).get(key);
      assertNotNull(node, () -> dotted + ": no " + key);
    }
    return (T) node;
  }

  private static List<Map<String, Object>> list(Map<String, Object> root, String dotted) {
    return at(root, dotted);
  }
}
