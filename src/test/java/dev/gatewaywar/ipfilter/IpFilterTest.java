package dev.gatewaywar.ipfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.config.GatewayConfig;
import dev.gatewaywar.testing.TestLoaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpFilterTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return TestLoaders.anyMiddleware(name -> null).parse(yaml, "test.yaml");
  }

  private static IpFilter filter(List<String> allow, List<String> deny) {
    return new IpFilter(
        new IpFilterConfig(
            allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList()));
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void denyWinsAndAllowIsExclusiveWhenNotEmpty() throws Exception {
    IpFilter f = filter(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.9.0.0/16"));
    assertTrue(f.admits(ip("10.1.2.3")));
    assertFalse(f.admits(ip("10.9.2.3")));
    assertFalse(f.admits(ip("192.0.2.1")));
    assertTrue(f.admits(ip("2001:db8::1")));
    assertFalse(f.admits(ip("2001:db9::1")));
    assertFalse(f.admits(null), "an unreadable address passes no rule");
  }

  @Test
  void denyOnlyAdmitsTheRestAndNoRulesAdmitAll() throws Exception {
    IpFilter deny = filter(List.of(), List.of("192.0.2.0/24", "::1"));
    assertFalse(deny.admits(ip("192.0.2.77")));
    assertFalse(deny.admits(ip("::1")));
    assertTrue(deny.admits(ip("198.51.100.1")));
    assertTrue(filter(List.of(), List.of()).admits(null));
  }

  @Test
  void blocksAreReadAndRouteBlocksInheritUnsetLists() throws ConfigException {
    GatewayConfig c =
        load(
            """
            ip_filter:
              allow: [10.0.0.0/8]
              deny: ["fd00::/8"]
            routes:
              - path: /a
                target: http://127.0.0.1:9
                middleware: [ip_filter]
                ip_filter:
                  allow: []
            """);
    IpFilterConfig global = c.global(IpFilterBlock.INSTANCE);
    assertEquals(List.of(Cidr.parse("10.0.0.0/8")), global.allow());
    IpFilterConfig own = c.routes().get(0).own(IpFilterBlock.INSTANCE).orElseThrow();
    assertEquals(List.of(), own.allow(), "an empty list set on the route clears allow");
    assertEquals(List.of(Cidr.parse("fd00::/8")), own.deny());
    assertEquals(IpFilterConfig.DEFAULT, load("routes: []\n").global(IpFilterBlock.INSTANCE));
  }

  @Test
  void badBlocksAreRefusedWithTheirLine() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load("ip_filter:\n  allow:\n    - 10.0.0.0/8\n    - gateway.local\n"));
    assertEquals(1, e.problems().size(), () -> "" + e.problems());
    ConfigProblem p = e.problems().get(0);
    assertEquals(4, p.line());
    assertTrue(p.message().contains("not an IP address"), p.message());
    ConfigException prefix =
        assertThrows(ConfigException.class, () -> load("ip_filter:\n  deny: [10.0.0.0/33]\n"));
    assertEquals(2, prefix.problems().get(0).line());
  }
}
