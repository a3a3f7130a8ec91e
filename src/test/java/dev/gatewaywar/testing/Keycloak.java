package dev.gatewaywar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak, the OpenID provider the {@code auth} middleware's {@code type: keycloak} talks
 * to: the {@code keycloak-quarkus-dist} distribution that {@code mvn verify} unpacks in
 * pre-integration-test (failsafe passes its directory as the {@code keycloak.home} property), run
 * as {@code kc.sh start-dev} in its own process on a Java 21+ runtime (the project itself builds
 * and tests on 17, so this is never the test JVM unless that one is new enough).
 *
 * <p>It listens on a free loopback port, keeps its H2 dev database under the given work directory
 * (with its console log, which stays there for reading after a failure) and imports the {@value
 * #REALM} realm from {@code src/test/resources/keycloak/gateway-test-realm.json}: a public client
 * {@value #CLIENT_ID} with direct access grants, whose access tokens carry {@value #CLIENT_ID} in
 * {@code aud}; a realm role {@code admin}; users {@value #ALICE} (admin) and {@value #BOB} (not).
 *
 * <p>Start-up takes 10-20 s on two busy cores, plus about 20 s once after each fresh unpack, when
 * Keycloak builds its optimized runtime into the distribution's {@code lib/quarkus}. So tests start
 * one per class ({@code @BeforeAll}) and close it in {@code @AfterAll}.
 */
public final class Keycloak implements AutoCloseable {
  public static final String REALM = "gateway-test";
  public static final String CLIENT_ID = "gateway";

  /** A confidential client the gateway authenticates as at the introspection endpoint. */
  public static final String INTROSPECTOR_ID = "gateway-introspector";

  public static final String INTROSPECTOR_SECRET = "introspector-test-secret";

  /** Users of the imported realm; their passwords are in the realm file, test-only. */
  public static final String ALICE = "alice";

  public static final String ALICE_PASSWORD = "alice-password";
  public static final String BOB = "bob";
  public static final String BOB_PASSWORD = "bob-password";

  /** Keycloak 26 runs on Java 21 or newer only. */
  public static final int MIN_JAVA = 21;

  /** Bounds: a start (first answer of the realm's discovery document), a stop, one request. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final String REALM_RESOURCE = "/keycloak/gateway-test-realm.json";

  /** Keycloaks still running, killed by a shutdown hook should the test JVM end without closing. */
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(ProcessTrees::kill), "kill-keycloaks"));
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Process process;
  private final Path workDir;
  private final int port;
  // both set once the discovery document answered, before start() returns
  private Duration startedIn;
  private String tokenEndpoint;

  private Keycloak(Process process, Path workDir, int port) {
    this.process = process;
    this.workDir = workDir;
    this.port = port;
  }

  /**
   * A Java {@value #MIN_JAVA}+ installation to run Keycloak with, first found of: the {@code
   * keycloak.java.home} system property, the {@code KEYCLOAK_JAVA_HOME} environment variable, the
   * JVM running the tests, the newest JDK under {@code /usr/lib/jvm} (where the machine image puts
   * Temurin 25). Empty when there is none: the only reason Keycloak tests may skip.
   */
  public static Optional<Path> javaHome() {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getProperty("keycloak.java.home"))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .ifPresent(candidates::add);
    Optional.ofNullable(System.getenv("KEYCLOAK_JAVA_HOME"))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .ifPresent(candidates::add);
    candidates.add(Path.of(System.getProperty("java.home")));
    candidates.addAll(installedJdksNewestFirst(Path.of("/usr/lib/jvm")));
    return candidates.stream()
        .filter(home -> Files.isExecutable(home.resolve("bin/java")))
        .filter(home -> javaFeatureVersion(home) >= MIN_JAVA)
        .findFirst();
  }

  /** Why Keycloak tests skip on this machine, or empty when they can run. */
  public static Optional<String> whyNotRunnable() {
    if (javaHome().isPresent()) {
      return Optional.empty();
    }
    return Optional.of(
        "Keycloak needs Java "
            + MIN_JAVA
            + "+ and none was found (tried -Dkeycloak.java.home, $KEYCLOAK_JAVA_HOME, the test"
            + " JVM "
            + System.getProperty("java.home")
            + ", /usr/lib/jvm/*): install one or point KEYCLOAK_JAVA_HOME at it");
  }

  /** The unpacked distribution this build made (KEYCLOAK_HOME). */
  public static Path distribution() {
    String home = System.getProperty("keycloak.home");
    if (home == null || home.isBlank() || !Files.isRegularFile(Path.of(home, "bin/kc.sh"))) {
      throw new IllegalStateException(
          "no Keycloak distribution at "
              + home
              + " (system property keycloak.home); run through `mvn verify`, which unpacks it");
    }
    return Path.of(home);
  }

  /**
   * Where a test class's Keycloak keeps its database and console log: {@code
   * target/it-keycloak/<name>}, kept after the run for reading.
   */
  public static Path workDir(String name) {
    return distribution().toAbsolutePath().getParent().getParent().resolve("it-keycloak/" + name);
  }

  /**
   * Starts Keycloak with a fresh database under {@code workDir} (deleted first) and returns once
   * the realm's discovery document answers with the expected issuer, within {@link #START_TIMEOUT}.
   * On any failure the process is killed and the console's tail is in the error.
   */
  public static Keycloak start(Path workDir) throws IOException, InterruptedException {
    Path java =
        javaHome().orElseThrow(() -> new IllegalStateException(whyNotRunnable().orElseThrow()));
    Path home = distribution();
    importRealmFile(home);
    TestFiles.deleteTree(workDir);
    Files.createDirectories(workDir);
    int port = FreePortForArquillian.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/sh",
                home.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--import-realm",
                // the dev-file H2 database goes under <kc.db-url-path>/data/h2 instead of the
                // distribution's data/, so every start begins empty and nothing is shared
                "-Dkc.db-url-path=" + workDir.toAbsolutePath())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("console.log").toFile());
    Map<String, String> env = builder.environment();
    // Keycloak reads KC_* and QUARKUS_* variables as configuration, and kc.sh the JAVA_* ones:
    // none of the test runner's may change what starts here
    env.keySet()
        .removeIf(
            k ->
                k.startsWith("KC_")
                    || k.startsWith("KEYCLOAK_")
                    || k.startsWith("QUARKUS_")
                    || k.startsWith("JAVA_")
                    || k.equals("JAVA")
                    || k.equals("DEBUG")
                    || k.equals("DEBUG_PORT"));
    env.put("JAVA_HOME", java.toString());
    long begin = System.nanoTime();
    Process process = builder.start();
    LIVE.add(process.toHandle());
    Keycloak keycloak = new Keycloak(process, workDir, port);
    try {
      keycloak.awaitRealm(begin);
      return keycloak;
    } catch (RuntimeException | IOException | InterruptedException | Error e) {
      keycloak.close();
      throw e;
    }
  }

  /** {@code --import-realm} reads only {@code <KEYCLOAK_HOME>/data/import}: put our realm there. */
  private static void importRealmFile(Path home) throws IOException {
    Path importDir = home.resolve("data/import");
    Files.createDirectories(importDir);
    try (InputStream realm = Keycloak.class.getResourceAsStream(REALM_RESOURCE)) {
      if (realm == null) {
        throw new IllegalStateException(REALM_RESOURCE + " is not on the test class path");
      }
      Files.copy(
          realm, importDir.resolve(REALM + "-realm.json"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void awaitRealm(long begin) throws IOException, InterruptedException {
    long deadline = begin + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            this + " exited with " + process.exitValue() + " before answering:\n" + consoleTail());
      }
      Optional<HttpResponse<String>> discovery = tryGet(discoveryUrl());
      if (discovery.isPresent() && discovery.get().statusCode() == 200) {
        String body = discovery.get().body();
        String issuer = TokenParts.stringField(body, "issuer");
        if (!issuerUrl().equals(issuer)) {
          throw new IllegalStateException(
              "discovery document names issuer " + issuer + ", expected " + issuerUrl());
        }
        tokenEndpoint = TokenParts.stringField(body, "token_endpoint");
        startedIn = Duration.ofNanos(System.nanoTime() - begin);
        if (!Files.isDirectory(workDir.resolve("data/h2"))) {
          // kc.db-url-path is read by Keycloak's dev-file URL, not a documented option: should a
          // new version drop it, the database would persist in the distribution between runs
          throw new IllegalStateException(
              "Keycloak put its H2 database elsewhere than " + workDir.resolve("data/h2"));
        }
        return;
      }
      // not listening yet, or listening before the realm import finished (404)
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            this
                + " did not serve "
                + discoveryUrl()
                + " within "
                + START_TIMEOUT
                + ":\n"
                + consoleTail());
      }
      Thread.sleep(250);
    }
  }

  private static Optional<HttpResponse<String>> tryGet(String url)
      throws IOException, InterruptedException {
    try {
      return Optional.of(
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    } catch (IOException notYet) {
      // refused, reset or timed out while Keycloak is still starting
      return Optional.empty();
    }
  }

  /** The realm URL, which is the {@code iss} of its tokens and the gateway's {@code issuer}. */
  public String issuerUrl() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  public String discoveryUrl() {
    return issuerUrl() + "/.well-known/openid-configuration";
  }

  public int port() {
    return port;
  }

  /** From launching {@code kc.sh} to the first good answer of the discovery document. */
  public Duration startedIn() {
    return startedIn;
  }

  /**
   * The access token Keycloak issues {@code user} through the resource owner password grant (RFC
   * 6749 section 4.3) for client {@value #CLIENT_ID}. The token is returned, never logged; a
   * refusal throws with Keycloak's {@code error} and {@code error_description}.
   */
  public String passwordGrant(String user, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        postForm(
            tokenEndpoint,
            Map.of(
                "grant_type", "password",
                "client_id", CLIENT_ID,
                "username", user,
                "password", password));
    if (response.statusCode() != 200) {
      // an error answer carries no token, so its fields may be shown
      throw new IllegalStateException(
          "password grant for "
              + user
              + " refused: HTTP "
              + response.statusCode()
              + ", error="
              + TokenParts.stringField(response.body(), "error")
              + ", error_description="
              + TokenParts.stringField(response.body(), "error_description"));
    }
    String token = TokenParts.stringField(response.body(), "access_token");
    if (token == null) {
      throw new IllegalStateException("token response for " + user + " has no access_token");
    }
    return token;
  }

  /** The realm's RFC 7662 introspection endpoint. */
  public String introspectionUrl() {
    return issuerUrl() + "/protocol/openid-connect/token/introspect";
  }

  /**
   * Revokes an access token {@value #CLIENT_ID} was issued (RFC 7009), as a user logging out of the
   * application would: the token's signature and expiry stay valid, only the provider knows.
   */
  public void revoke(String accessToken) throws IOException, InterruptedException {
    HttpResponse<String> response =
        postForm(
            issuerUrl() + "/protocol/openid-connect/revoke",
            Map.of(
                "client_id", CLIENT_ID,
                "token", accessToken,
                "token_type_hint", "access_token"));
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "revocation refused: HTTP "
              + response.statusCode()
              + ", error="
              + TokenParts.stringField(response.body(), "error"));
    }
  }

  private static HttpResponse<String> postForm(String url, Map<String, String> fields)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(fields)))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /**
   * Stops Keycloak as an operator would (SIGTERM to {@code kc.sh}, which forwards it to the JVM),
   * and kills whatever is left of the process tree after {@link #STOP_TIMEOUT}. Safe to call more
   * than once.
   */
  @Override
  public void close() throws InterruptedException {
    ProcessHandle root = process.toHandle();
    List<ProcessHandle> tree = ProcessTrees.of(root);
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      ProcessTrees.kill(root);
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessTrees::kill);
    LIVE.remove(root);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything Keycloak printed so far (its log lines; no tokens: it does not log them). */
  public String console() throws IOException {
    return Files.readString(workDir.resolve("console.log"), StandardCharsets.UTF_8);
  }

  private String consoleTail() {
    try {
      List<String> lines = console().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no console output: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return "Keycloak on port " + port + " (work directory " + workDir + ")";
  }

  /** The major version of the JDK at {@code home}, from its {@code release} file; 0 if unknown. */
  static int javaFeatureVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(release, StandardCharsets.UTF_8)) {
      Map<String, String> props = new HashMap<>();
      lines
          .map(l -> l.split("=", 2))
          .filter(kv -> kv.length == 2)
          .forEach(kv -> props.put(kv[0].trim(), kv[1].trim().replace("\"", "")));
      String version = props.get("JAVA_VERSION");
      return version == null ? 0 : Runtime.Version.parse(version).feature();
    } catch (IOException | IllegalArgumentException e) {
      return 0;
    }
  }

  private static List<Path> installedJdksNewestFirst(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> jdks = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(jdks::add);
    } catch (IOException e) {
      return List.of();
    }
    jdks.sort(Comparator.comparingInt(Keycloak::javaFeatureVersion).reversed());
    return jdks;
  }
}
