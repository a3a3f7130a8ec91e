package dev.gatewaywar.jmx;

import java.util.Collection;
import java.util.Optional;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The names of one webapp's MBeans, in domain {@value #DOMAIN}:
 *
 * <pre>
 * dev.gatewaywar:type=Gateway,context="/gateway"
 * dev.gatewaywar:type=Route,context="/gateway",route="/api/\*",methods="GET,POST"
 * dev.gatewaywar:type=Upstream,context="/gateway",route="/api/\*",target="http://10.0.0.1:8080"
 * </pre>
 *
 * <p>One rule for every key but {@code type}: its value is always quoted ({@link
 * ObjectName#quote}), whether it needs to be or not. Route patterns hold {@code *} and {@code :},
 * target URLs {@code :}, method lists {@code ,}, all of which an unquoted value may not hold;
 * quoting only those that need it would give two spellings to the same key, and a name an operator
 * could not write without knowing the value first. {@code methods} is {@code "\*"} (a literal
 * {@code *}, quoted) for a route that takes every method. A webapp deployed with a version
 * (Tomcat's parallel deployment, {@code gateway##2.war}) has a {@code version} key after {@code
 * context}, since its versions share the context path.
 */
public final class MBeanNames {
  /** The domain of every MBean the gateway registers. */
  public static final String DOMAIN = "dev.gatewaywar";

  private final String webapp;

  private MBeanNames(String webapp) {
    this.webapp = webapp;
  }

  /**
   * The names of the webapp at {@code contextPath} ({@code ""} for ROOT, shown as {@code /}), with
   * its parallel-deployment version if it has one.
   */
  public static MBeanNames of(String contextPath, Optional<String> version) {
    String context = contextPath.isEmpty() ? "/" : contextPath;
    return new MBeanNames(
        ",context="
            + ObjectName.quote(context)
            + version.map(v -> ",version=" + ObjectName.quote(v)).orElse(""));
  }

  /** {@code type=Gateway}: the webapp's configuration and its reload. */
  public ObjectName gateway() {
    return name("Gateway", "");
  }

  /** {@code type=Route}: one route, by its pattern and its methods ({@code *}: every one). */
  public ObjectName route(String pattern, Collection<String> methods) {
    String list = methods.isEmpty() ? "*" : String.join(",", methods);
    return name(
        "Route", ",route=" + ObjectName.quote(pattern) + ",methods=" + ObjectName.quote(list));
  }

  /** {@code type=Upstream}: one target of one route. */
  public ObjectName upstream(String pattern, String target) {
    return name(
        "Upstream", ",route=" + ObjectName.quote(pattern) + ",target=" + ObjectName.quote(target));
  }

  /** A pattern matching every MBean of this webapp, whatever its type. */
  public ObjectName all() {
    return name(null, ",*");
  }

  private ObjectName name(String type, String rest) {
    String typeKey = type == null ? "" : "type=" + type;
    String keys = (typeKey + webapp + rest).replaceFirst("^,", "");
    try {
      return new ObjectName(DOMAIN + ":" + keys);
    } catch (MalformedObjectNameException e) {
      // every value is quoted: no pattern or configuration value can make a name malformed
      throw new IllegalStateException(e);
    }
  }
}
