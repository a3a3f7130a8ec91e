package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.ConfigSection.Item;
import dev.gatewaywar.config.ReloadConfig;
import dev.gatewaywar.config.ServerConfig;
import dev.gatewaywar.routing.PathParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code server:} block. */
public final class ServerReader {
  private ServerReader() {}

  public static ServerConfig read(YamlReader m) {
    int port = m.integer("port", ServerConfig.DEFAULT_PORT, 0, 65535);
    List<Cidr> trustedProxies = cidrs(m, "trusted_proxies");
    Duration drain = m.duration("drain_timeout", ServerConfig.DEFAULT_DRAIN_TIMEOUT);
    ReloadConfig reload = readReload(m.mapping("reload"));
    PathParameters pathParameters =
        m.choice("path_parameters", PathParameters.class, PathParameters.DEFAULT);
    boolean underscores =
        m.bool("underscores_in_headers", ServerConfig.DEFAULT_UNDERSCORES_IN_HEADERS);
    m.rejectUnknownKeys();
    return new ServerConfig(port, trustedProxies, drain, reload, pathParameters, underscores);
  }

  /** A list of addresses and CIDR blocks, each parsed once; a bad one is a problem at its line. */
  static List<Cidr> cidrs(YamlReader m, String key) {
    List<Cidr> cidrs = new ArrayList<>();
    for (Item item : m.scalarList(key)) {
      try {
        cidrs.add(Cidr.parse(item.value()));
      } catch (IllegalArgumentException e) {
        m.problem(item, e.getMessage());
      }
    }
    return cidrs;
  }

  private static ReloadConfig readReload(YamlReader m) {
    Duration interval = m.duration("interval", ReloadConfig.DEFAULT_INTERVAL);
    if (interval.compareTo(ReloadConfig.MIN_INTERVAL) < 0) {
      m.problem("interval", "must be at least " + ReloadConfig.MIN_INTERVAL.toMillis() + "ms");
      interval = ReloadConfig.MIN_INTERVAL;
    }
    ReloadConfig r =
        new ReloadConfig(
            m.bool("enabled", ReloadConfig.DEFAULT.enabled()),
            interval,
            m.duration("debounce", ReloadConfig.DEFAULT_DEBOUNCE));
    m.rejectUnknownKeys();
    return r;
  }
}
