package dev.gatewaywar.jmx;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The MBeans one webapp registered, so it can unregister exactly those. The MBean server is the
 * JVM's: whatever a webapp leaves registered keeps its objects, and through them its class loader,
 * alive after undeploy.
 */
final class Registrations {
  private static final Logger LOG = Logger.getLogger(Registrations.class.getName());

  private final MBeanServer server;
  private final Set<ObjectName> registered = new LinkedHashSet<>();

  Registrations(MBeanServer server) {
    this.server = server;
  }

  /**
   * Registers {@code mbean} as {@code name}; a name already taken (another webapp at the same
   * context path, two routes with the same pattern and methods) is logged and skipped, never a
   * reason to fail the deployment.
   */
  synchronized boolean register(ObjectName name, Object mbean) {
    if (registered.contains(name)) {
      return true;
    }
    try {
      server.registerMBean(mbean, name);
      registered.add(name);
      return true;
    } catch (InstanceAlreadyExistsException e) {
      LOG.warning(
          () ->
              "MBean "
                  + name
                  + " is already registered by someone else (another webapp at the same context"
                  + " path?): not registered");
    } catch (JMException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot register MBean " + name, e);
    }
    return false;
  }

  synchronized boolean contains(ObjectName name) {
    return registered.contains(name);
  }

  /** Unregisters every MBean registered here whose name is not in {@code wanted}. */
  synchronized void keepOnly(Set<ObjectName> wanted) {
    List<ObjectName> gone = new ArrayList<>();
    for (ObjectName name : registered) {
      if (!wanted.contains(name)) {
        gone.add(name);
      }
    }
    gone.forEach(this::unregister);
  }

  /** Unregisters every MBean registered here. */
  synchronized void clear() {
    new ArrayList<>(registered).forEach(this::unregister);
  }

  private void unregister(ObjectName name) {
    registered.remove(name);
    try {
      server.unregisterMBean(name);
    } catch (InstanceNotFoundException alreadyGone) {
      // unregistered by someone else (a JMX client may): nothing of ours is left
    } catch (JMException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot unregister MBean " + name, e);
    }
  }
}
