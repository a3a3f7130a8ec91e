package dev.gatewaywar.deploy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * WildFly's JMX, reached as jconsole reaches it: {@code service:jmx:remote+http://host:port} on the
 * management interface, with the JMX client that ships with the server ({@code
 * bin/client/jboss-client.jar}, loaded here in a class loader of its own so none of its libraries
 * meet the test's) and a management user's credentials ({@code add-user.sh}).
 */
final class WildFlyJmx implements AutoCloseable {
  private final URLClassLoader client;
  private final JMXConnector connector;
  private final MBeanServerConnection server;

  private WildFlyJmx(URLClassLoader client, JMXConnector connector) throws IOException {
    this.client = client;
    this.connector = connector;
    this.server = connector.getMBeanServerConnection();
  }

  /** Connects to {@code wildfly}'s management interface as {@code user}. */
  static WildFlyJmx connect(WildFlyServer wildfly, String user, String password) throws Exception {
    Path jar = wildfly.distribution().home().resolve("bin/client/jboss-client.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no JMX client at " + jar);
    }
    URLClassLoader client =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    JMXServiceURL url = new JMXServiceURL("service:jmx:remote+http://" + wildfly.controller());
    Map<String, Object> environment =
        Map.of(
            JMXConnector.CREDENTIALS,
            new String[] {user, password},
            JMXConnectorFactory.PROTOCOL_PROVIDER_CLASS_LOADER,
            client);
    try {
      JMXConnector connector =
          withClientLoader(client, () -> JMXConnectorFactory.connect(url, environment));
      return new WildFlyJmx(client, connector);
    } catch (Exception e) {
      client.close();
      throw e;
    }
  }

  Set<ObjectName> names(ObjectName pattern) throws Exception {
    return withClientLoader(client, () -> server.queryNames(pattern, null));
  }

  Object get(ObjectName name, String attribute) throws Exception {
    return withClientLoader(client, () -> server.getAttribute(name, attribute));
  }

  Object invoke(ObjectName name, String operation) throws Exception {
    return withClientLoader(
        client, () -> server.invoke(name, operation, new Object[0], new String[0]));
  }

  /** The remoting client finds some of its parts through the thread's context class loader. */
  private static <T> T withClientLoader(ClassLoader loader, Callable<T> call) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return call.call();
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Override
  public void close() throws IOException {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(client);
    try {
      connector.close();
    } finally {
      thread.setContextClassLoader(before);
      client.close();
    }
  }
}
