package dev.gatewaywar.standalone;

import dev.gatewaywar.auth.AuthBlock;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.DevTokens;
import dev.gatewaywar.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** {@code java -jar gateway.war demo}: example upstreams plus a gateway in front of them. */
final class Demo {
  private Demo() {}

  static int run(Deque<String> args, PrintStream out, PrintStream err) throws Exception {
    int port = 8080;
    while (!args.isEmpty()) {
      String a = args.pop();
      if (a.equals("--port")) {
        port = Integer.parseInt(StandaloneMain.required(args, a));
      } else {
        err.println("unknown option '" + a + "'");
        return StandaloneMain.USAGE;
      }
    }
    DemoUpstreams upstreams = new DemoUpstreams();
    Path config = writeConfig(upstreams, port);
    EmbeddedGateway gateway;
    try {
      gateway = EmbeddedGateway.start(StandaloneMain.home(), config, port);
    } catch (Exception e) {
      upstreams.close();
      err.println(
          "demo: could not start the gateway on port "
              + port
              + " ("
              + e.getMessage()
              + "); try: java -jar target/gateway.war demo --port 8081");
      return StandaloneMain.INVALID_CONFIG;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  StandaloneMain.closeQuietly(gateway);
                  upstreams.close();
                }));
    printWelcome(out, gateway.port(), config);
    gateway.await();
    return StandaloneMain.OK;
  }

  private static Path writeConfig(DemoUpstreams upstreams, int port) throws IOException {
    String template;
    try (InputStream in = Demo.class.getResourceAsStream("demo.yaml")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String yaml =
        template
            .replace("@PORT@", String.valueOf(port))
            .replace("@USERS@", upstreams.usersUrl())
            .replace("@ORDERS@", upstreams.ordersUrl())
            .replace("@ECHO@", upstreams.echoUrl());
    Path file = Files.createTempFile("gateway-demo-", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, yaml);
    return file;
  }

  /** Tokens for the demo's auth routes, minted as {@code java -jar gateway.war token} does. */
  private static void printAuth(PrintStream out, String base, Path config) {
    AuthConfig auth;
    try {
      auth = StandaloneMain.loader().load(config).global(AuthBlock.INSTANCE);
    } catch (ConfigException e) {
      throw new IllegalStateException("the demo's own config is invalid: " + e.getMessage(), e);
    }
    Clock clock = Clock.systemUTC();
    String alice = DevTokens.mint(auth, "alice", Duration.ofHours(1), Map.of(), clock);
    String admin =
        DevTokens.mint(auth, "root", Duration.ofHours(1), Map.of("roles", List.of("admin")), clock);
    out.println("Auth (/me needs a bearer token, /admin/* one with the admin role):");
    out.println("  curl -i " + base + "/me                   # 401 missing token");
    out.println("  TOKEN=" + alice);
    out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/me");
    out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/admin/stats   # 403");
    out.println("  ADMIN=" + admin);
    out.println("  curl -i -H \"Authorization: Bearer $ADMIN\" " + base + "/admin/stats");
    out.println(
        "  more tokens: java -jar target/gateway.war token --config "
            + config
            + " --sub bob --ttl 2h --claim 'roles=[\"admin\"]'");
  }

  private static void printWelcome(PrintStream out, int port, Path config) {
    String base = "http://localhost:" + port;
    out.println();
    out.println("gateway.war demo is up on " + base + " (config: " + config + ")");
    out.println("Try:");
    out.println("  curl -i " + base + "/users");
    out.println("  curl -i " + base + "/users/1");
    out.println(
        "  curl -i -X POST -H 'Content-Type: application/json' -d '{\"name\":\"Carol\"}' "
            + base
            + "/users");
    out.println("  curl -i " + base + "/orders/100");
    out.println("  curl -i '" + base + "/echo/anything?x=1'");
    out.println("  curl -N " + base + "/events");
    out.println("  curl -i -X DELETE " + base + "/users/1     # 405, with Allow");
    out.println("  curl -i " + base + "/nowhere              # 404");
    printAuth(out, base, config);
    out.println("Stop with Ctrl+C.");
    out.flush();
  }
}
