package dev.gatewaywar.standalone;

import dev.gatewaywar.auth.AuthBlock;
import dev.gatewaywar.auth.DevTokens;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.GatewayConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * {@code java -jar gateway.war token --config FILE [--sub alice] [--ttl 1h] [--claim k=v]...}:
 * prints an HS token signed with the config's {@code auth.secret} and nothing else on standard
 * output, so {@code TOKEN=$(java -jar gateway.war token ...)} works. A {@code --claim} value that
 * reads as a JSON array, object, number or boolean is put in as that ({@code roles=["admin"]}).
 */
final class TokenCommand {
  static final String DEFAULT_SUBJECT = "dev";
  static final Duration DEFAULT_TTL = Duration.ofHours(1);

  private TokenCommand() {}

  static int run(Deque<String> args, PrintStream out, PrintStream err) {
    String config = null;
    String subject = DEFAULT_SUBJECT;
    Duration ttl = DEFAULT_TTL;
    Map<String, Object> claims = new LinkedHashMap<>();
    try {
      while (!args.isEmpty()) {
        String a = args.pop();
        switch (a) {
          case "--config" -> config = StandaloneMain.required(args, a);
          case "--sub" -> subject = StandaloneMain.required(args, a);
          case "--ttl" -> ttl = ttl(StandaloneMain.required(args, a));
          case "--claim" -> claim(StandaloneMain.required(args, a), claims);
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      if (config == null) {
        throw new IllegalArgumentException("token needs --config FILE (its auth.secret signs)");
      }
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return StandaloneMain.usage(err, StandaloneMain.USAGE);
    }
    GatewayConfig c;
    try {
      c = StandaloneMain.loader().load(Path.of(config));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return StandaloneMain.INVALID_CONFIG;
    }
    try {
      out.println(
          DevTokens.mint(c.global(AuthBlock.INSTANCE), subject, ttl, claims, Clock.systemUTC()));
      return StandaloneMain.OK;
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return StandaloneMain.INVALID_CONFIG;
    }
  }

  /** {@code 1h}, {@code 30m}, {@code 1h30m}, {@code 90s}. */
  static Duration ttl(String text) {
    try {
      Duration d = Duration.parse("PT" + text.trim().toUpperCase(Locale.ROOT));
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("--ttl must be longer than zero");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--ttl '" + text + "' is not like 1h, 30m or 1h30m");
    }
  }

  private static void claim(String kv, Map<String, Object> claims) {
    int eq = kv.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--claim takes name=value, got '" + kv + "'");
    }
    claims.put(kv.substring(0, eq), value(kv.substring(eq + 1)));
  }

  private static Object value(String v) {
    try {
      // JsonUtil parses objects only: wrap, so arrays and scalars parse too
      Object parsed = JsonUtil.parseJson("{\"v\":" + v + "}").get("v");
      return parsed == null ? v : parsed;
    } catch (JoseException | RuntimeException e) {
      return v;
    }
  }
}
