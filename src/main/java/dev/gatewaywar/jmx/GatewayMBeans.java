package dev.gatewaywar.jmx;

import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.RouteStatus;
import dev.gatewaywar.operations.TargetStatus;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * One webapp's MBeans in the JVM's platform MBean server (which Tomcat's jmxproxy, jconsole and
 * WildFly's JMX all show): one {@code type=Gateway}, one {@code type=Route} per route and one
 * {@code type=Upstream} per target of a route, named by {@link MBeanNames}.
 *
 * <p>They keep no counts of their own: every attribute is read from the {@link GatewayStatus} when
 * asked, so the request path does nothing for them. A route's MBean is found again by its pattern
 * and methods, so one that a reload keeps reads the new configuration's counts; {@link #sync}
 * registers the MBeans of routes a reload added and unregisters those of routes it removed. {@link
 * #close} unregisters every one: the MBean server outlives the webapp, and an MBean left in it
 * would keep the webapp's class loader alive.
 */
public final class GatewayMBeans implements AutoCloseable {
  private final MBeanNames names;
  private final GatewayStatus status;
  private final Registrations registrations;
  private boolean closed;

  private GatewayMBeans(MBeanNames names, GatewayStatus status, Registrations registrations) {
    this.names = names;
    this.status = status;
    this.registrations = registrations;
  }

  /**
   * Registers the MBeans of the gateway running in {@code context} in the platform MBean server,
   * named after its context path (and Tomcat's parallel-deployment version, if any).
   */
  public static GatewayMBeans register(ServletContext context, GatewayStatus status) {
    return register(
        ManagementFactory.getPlatformMBeanServer(),
        MBeanNames.of(context.getContextPath(), WebappVersion.of(context.getClassLoader())),
        status,
        context.getClassLoader());
  }

  /**
   * Registers the MBeans of {@code status} as {@code names} in {@code server}.
   *
   * @param webappLoader the webapp's class loader, the context class loader of a reload asked for
   */
  static GatewayMBeans register(
      MBeanServer server, MBeanNames names, GatewayStatus status, ClassLoader webappLoader) {
    GatewayMBeans mbeans = new GatewayMBeans(names, status, new Registrations(server));
    GatewayBean gateway = new GatewayBean(status, mbeans, webappLoader);
    if (mbeans.registrations.register(names.gateway(), standard(gateway, GatewayMBean.class))) {
      mbeans.sync();
    } else {
      // another webapp has these names (the same context path in this JVM): none of them is ours
      mbeans.closed = true;
    }
    return mbeans;
  }

  /**
   * Makes the route and upstream MBeans those of the configuration in use: registers the missing,
   * unregisters those whose route or target is gone. After a reload.
   */
  public synchronized void sync() {
    if (closed) {
      return; // a reload ending during the stop: nothing may be registered again
    }
    Set<ObjectName> wanted = new HashSet<>();
    wanted.add(names.gateway());
    for (RouteStatus route : status.routes()) {
      ObjectName routeName = names.route(route.pattern(), route.methods());
      if (wanted.add(routeName) && !registrations.contains(routeName)) {
        registrations.register(
            routeName,
            standard(new RouteBean(status, route.pattern(), route.methodList()), RouteMBean.class));
      }
      for (TargetStatus target : route.targets()) {
        ObjectName targetName = names.upstream(route.pattern(), target.url());
        if (wanted.add(targetName) && !registrations.contains(targetName)) {
          registrations.register(
              targetName,
              standard(
                  new UpstreamBean(status, route.pattern(), target.url()), UpstreamMBean.class));
        }
      }
    }
    registrations.keepOnly(wanted);
  }

  /** Unregisters every MBean of the webapp. */
  @Override
  public synchronized void close() {
    closed = true;
    registrations.clear();
  }

  private static <T> StandardMBean standard(T bean, Class<T> type) {
    try {
      return new StandardMBean(bean, type);
    } catch (NotCompliantMBeanException e) {
      throw new IllegalStateException(e); // the interfaces are fixed: a mistake in them
    }
  }
}
