package dev.gatewaywar.standalone;

import dev.gatewaywar.MiddlewareRegistry;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigLocation;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.observability.GatewayMetrics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The command line of {@code java -jar gateway.war}:
 *
 * <pre>
 *   java -jar gateway.war [run] [--config FILE] [--port N]   serve on an embedded Tomcat
 *   java -jar gateway.war check FILE                          validate a config, like nginx -t
 *   java -jar gateway.war demo [--port N]                     gateway + example upstreams
 *   java -jar gateway.war token --config FILE [--sub S] [--ttl 1h] [--claim k=v]...
 *                                                             a dev token for the config's secret
 * </pre>
 */
public final class StandaloneMain {
  static final int OK = 0;
  static final int INVALID_CONFIG = 1;
  static final int USAGE = 2;

  private StandaloneMain() {}

  public static void main(String[] args) throws Exception {
    int status = run(List.of(args), System.out, System.err);
    if (status != OK) {
      System.exit(status);
    }
  }

  static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Deque<String> rest = new ArrayDeque<>(args);
    String command = rest.isEmpty() || rest.peek().startsWith("-") ? "run" : rest.pop();
    return switch (command) {
      case "run" -> serve(rest, err);
      case "check" -> check(rest, out, err);
      case "demo" -> Demo.run(rest, out, err);
      case "token" -> TokenCommand.run(rest, out, err);
      case "help", "--help", "-h" -> usage(out, OK);
      default -> {
        err.println("unknown command '" + command + "'");
        yield usage(err, USAGE);
      }
    };
  }

  static int usage(PrintStream to, int status) {
    to.println(
        """
        usage: java -jar gateway.war [run] [--config FILE] [--port N]
               java -jar gateway.war check FILE
               java -jar gateway.war demo [--port N]
               java -jar gateway.war token --config FILE [--sub alice] [--ttl 1h] [--claim k=v]...
        """);
    return status;
  }

  private static int serve(Deque<String> args, PrintStream err) throws Exception {
    String configArg = null;
    Integer port = null;
    while (!args.isEmpty()) {
      String a = args.pop();
      switch (a) {
        case "--config" -> configArg = required(args, a);
        case "--port" -> port = Integer.valueOf(required(args, a));
        default -> {
          err.println("unknown option '" + a + "'");
          return usage(err, USAGE);
        }
      }
    }
    if (configArg != null) {
      System.setProperty(ConfigLocation.PROPERTY, Path.of(configArg).toAbsolutePath().toString());
    }
    ConfigLocation location =
        ConfigLocation.resolve(System::getProperty, System::getenv, k -> null);
    Path webapp = home();
    GatewayConfig config;
    try {
      config =
          loader()
              .load(location.file().orElse(webapp.resolve(ConfigLocation.BUNDLED.substring(1))));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return INVALID_CONFIG;
    }
    EmbeddedGateway gateway =
        EmbeddedGateway.start(webapp, null, port != null ? port : config.server().port());
    // SIGTERM and Ctrl-C: the gateway drains (server.drain_timeout), then Tomcat stops
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> closeQuietly(gateway), "gateway-shutdown"));
    err.println("gateway.war listening on port " + gateway.port());
    gateway.await();
    return OK;
  }

  private static int check(Deque<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 1) {
      err.println("check takes one config file");
      return usage(err, USAGE);
    }
    Path file = Path.of(args.pop());
    try {
      GatewayConfig config = loader().load(file);
      out.println(file + ": OK (" + config.routes().size() + " routes)");
      return OK;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return INVALID_CONFIG;
    }
  }

  /** A loader that only reads files: no filter is built, so nothing records into its metrics. */
  static ConfigLoader loader() {
    return ConfigLoader.withEnvironment(
        MiddlewareRegistry.standard(
            Thread.currentThread().getContextClassLoader(), GatewayMetrics.create()));
  }

  /** The unpacked WAR the launcher prepared. */
  static Path home() {
    String home = System.getProperty("gateway.home");
    if (home == null) {
      throw new IllegalStateException("start me with java -jar gateway.war");
    }
    return Path.of(home);
  }

  static String required(Deque<String> args, String option) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.pop();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // shutting down: nothing useful left to do with it
    }
  }
}
