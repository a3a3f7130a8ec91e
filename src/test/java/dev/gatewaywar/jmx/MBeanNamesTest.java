package dev.gatewaywar.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MBeanNamesTest {
  private final MBeanNames gateway = MBeanNames.of("/gateway", Optional.empty());

  @Test
  void rootIsShownAsSlash() {
    assertEquals(
        "dev.gatewaywar:type=Gateway,context=\"/\"",
        MBeanNames.of("", Optional.empty()).gateway().toString());
  }

  @Test
  void everyValueButTheTypeIsQuoted() {
    assertEquals("dev.gatewaywar:type=Gateway,context=\"/gateway\"", gateway.gateway().toString());
    assertEquals(
        "dev.gatewaywar:type=Route,context=\"/gateway\",route=\"/users\",methods=\"GET\"",
        gateway.route("/users", List.of("GET")).toString());
  }

  @Test
  void patternsAndEveryMethodAreLiteralNotWildcards() throws Exception {
    ObjectName route = gateway.route("/api/*", List.of());
    assertFalse(route.isPattern(), route::toString);
    assertEquals("/api/*", ObjectName.unquote(route.getKeyProperty("route")));
    assertEquals("*", ObjectName.unquote(route.getKeyProperty("methods")));
    // the name an operator types, quoted by hand, is the same name
    assertEquals(
        new ObjectName(
            "dev.gatewaywar:type=Route,context=\"/gateway\",route=\"/api/\\*\",methods=\"\\*\""),
        route);
  }

  @Test
  void pathParametersMethodListsAndTargetUrlsSurviveQuoting() {
    ObjectName route = gateway.route("/users/:id", List.of("GET", "POST"));
    assertEquals("/users/:id", ObjectName.unquote(route.getKeyProperty("route")));
    assertEquals("GET,POST", ObjectName.unquote(route.getKeyProperty("methods")));
    ObjectName upstream = gateway.upstream("/users/:id", "http://10.0.0.1:8080/base?x=1");
    assertEquals("Upstream", upstream.getKeyProperty("type"));
    assertEquals(
        "http://10.0.0.1:8080/base?x=1", ObjectName.unquote(upstream.getKeyProperty("target")));
    assertFalse(upstream.isPattern());
  }

  @Test
  void aVersionedWebappHasItsOwnNames() {
    MBeanNames v2 = MBeanNames.of("/gateway", Optional.of("2"));
    assertEquals(
        "dev.gatewaywar:type=Gateway,context=\"/gateway\",version=\"2\"", v2.gateway().toString());
    assertFalse(v2.gateway().equals(gateway.gateway()));
  }

  @Test
  void allMatchesEveryTypeOfOneWebappOnly() {
    ObjectName all = gateway.all();
    assertTrue(all.isPattern());
    assertTrue(all.apply(gateway.gateway()));
    assertTrue(all.apply(gateway.route("/a", List.of())));
    assertTrue(all.apply(gateway.upstream("/a", "http://h:1")));
    assertFalse(all.apply(MBeanNames.of("/other", Optional.empty()).gateway()));
  }
}
