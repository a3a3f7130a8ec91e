package dev.gatewaywar.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.junit.jupiter.api.Test;

/**
 * What one webapp registered, in an MBean server of the test's own (newMBeanServer: not kept by the
 * factory).
 */
class RegistrationsTest {
  private final MBeanServer server = MBeanServerFactory.newMBeanServer();
  private final MBeanNames names = MBeanNames.of("/gateway", Optional.empty());
  private final ObjectName a = names.route("/a", List.of());
  private final ObjectName b = names.route("/b", List.of());

  private static StandardMBean bean() throws Exception {
    return new StandardMBean(new RouteBean(null, "/x", "*"), RouteMBean.class);
  }

  private Set<ObjectName> gateways() throws Exception {
    return server.queryNames(names.all(), null);
  }

  @Test
  void keepOnlyUnregistersWhatIsNoLongerWanted() throws Exception {
    Registrations mine = new Registrations(server);
    assertTrue(mine.register(a, bean()));
    assertTrue(mine.register(b, bean()));
    mine.keepOnly(Set.of(b));
    assertEquals(Set.of(b), gateways());
    assertFalse(mine.contains(a));
    mine.clear();
    assertEquals(Set.of(), gateways());
  }

  @Test
  void aNameTakenBySomeoneElseIsSkippedAndNeverUnregistered() throws Exception {
    server.registerMBean(bean(), a);
    Registrations mine = new Registrations(server);
    assertFalse(mine.register(a, bean()));
    assertTrue(mine.register(b, bean()));
    mine.clear();
    assertEquals(Set.of(a), gateways(), "the other's MBean stays");
  }

  @Test
  void anMBeanUnregisteredBySomeoneElseIsNoProblem() throws Exception {
    Registrations mine = new Registrations(server);
    mine.register(a, bean());
    server.unregisterMBean(a);
    mine.clear();
    assertEquals(Set.of(), gateways());
    assertTrue(mine.register(a, bean()), "registered again after clear");
  }
}
