package dev.gatewaywar.jmx;

import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The version a webapp was deployed with, for Tomcat's parallel deployment ({@code
 * gateway##2.war}): its versions share one context path, so the context path alone does not tell
 * their MBeans apart. The servlet API has no word for it; Tomcat's webapp class loader names its
 * context ({@code /gateway##2}, {@code ##2} for a versioned ROOT) through a public method, read
 * here. Elsewhere (WildFly, the embedded runner, an unversioned webapp) there is no version.
 */
final class WebappVersion {
  private static final String SEPARATOR = "##";

  private WebappVersion() {}

  static Optional<String> of(ClassLoader webappLoader) {
    if (webappLoader == null) {
      return Optional.empty();
    }
    try {
      Method contextName = webappLoader.getClass().getMethod("getContextName");
      return fromContextName(String.valueOf(contextName.invoke(webappLoader)));
    } catch (ReflectiveOperationException | RuntimeException notTomcats) {
      return Optional.empty();
    }
  }

  /** The part of a Tomcat context name after {@code ##}, if any. */
  static Optional<String> fromContextName(String contextName) {
    int at = contextName.indexOf(SEPARATOR);
    if (at < 0 || at + SEPARATOR.length() == contextName.length()) {
      return Optional.empty();
    }
    return Optional.of(contextName.substring(at + SEPARATOR.length()));
  }
}
