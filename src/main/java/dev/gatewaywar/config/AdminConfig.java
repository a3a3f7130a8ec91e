package dev.gatewaywar.config;

import java.util.List;

/**
 * {@code admin:} block: the admin page ({@code path}, and its JSON at {@code path + "/api"}) and
 * who may read it ({@code allow}, matched against the client address resolved through {@code
 * server.trusted_proxies}).
 *
 * @param allow client address blocks that may read the page; never empty
 */
public record AdminConfig(boolean enabled, String path, List<Cidr> allow) {
  public static final String DEFAULT_PATH = "/_gateway";

  /** The JSON view's path below {@link #path()}. */
  public static final String API_SUFFIX = "/api";

  /** Loopback only: the page is on the same port as the traffic. */
  public static final List<Cidr> DEFAULT_ALLOW =
      List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128"));

  public static final AdminConfig DEFAULT = new AdminConfig(false, DEFAULT_PATH, DEFAULT_ALLOW);

  public AdminConfig {
    allow = List.copyOf(allow);
  }

  /** {@link #path()} followed by {@link #API_SUFFIX}. */
  public String apiPath() {
    return path + API_SUFFIX;
  }
}
