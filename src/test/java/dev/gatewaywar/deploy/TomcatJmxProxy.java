package dev.gatewaywar.deploy;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Tomcat manager's {@code /manager/jmxproxy} as an operator drives it (with curl, say): query
 * MBeans, read one attribute, invoke an operation, as a user with role {@code manager-jmx}. Its
 * answers are plain text, {@code OK - ...} or {@code Error - ...}.
 */
final class TomcatJmxProxy {
  private final TomcatServer tomcat;
  private final String authorization;

  TomcatJmxProxy(TomcatServer tomcat, String user, String password) {
    this.tomcat = tomcat;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code ?qry=pattern}: every MBean matching it, by name, each with its attributes as the proxy
   * printed them (an attribute whose value is null is left out by the proxy).
   */
  Map<ObjectName, Map<String, String>> query(String pattern)
      throws IOException, InterruptedException {
    String body = ok(send("qry=" + encode(pattern)));
    Map<ObjectName, Map<String, String>> beans = new LinkedHashMap<>();
    Map<String, String> current = null;
    String lastKey = null;
    for (String line : body.lines().toList()) {
      if (line.startsWith("Name: ")) {
        current = new LinkedHashMap<>();
        beans.put(name(line.substring("Name: ".length())), current);
        lastKey = null;
      } else if (current != null && line.startsWith(" ") && lastKey != null) {
        // the proxy folds long values onto lines starting with a space
        current.merge(lastKey, line.substring(1), String::concat);
      } else if (current != null && line.contains(": ")) {
        lastKey = line.substring(0, line.indexOf(": "));
        current.put(lastKey, line.substring(line.indexOf(": ") + 2));
      } else if (current != null && line.endsWith(":")) {
        lastKey = line.substring(0, line.length() - 1);
        current.put(lastKey, "");
      }
    }
    return beans;
  }

  /** {@code ?get=name&att=attribute}: the attribute's value as text. */
  String get(ObjectName name, String attribute) throws IOException, InterruptedException {
    String body = ok(send("get=" + encode(name.toString()) + "&att=" + encode(attribute)));
    String marker = " - " + attribute + " = ";
    int at = body.indexOf(marker);
    if (at < 0) {
      throw new AssertionError("jmxproxy get answer not understood:\n" + body);
    }
    return body.substring(at + marker.length()).strip();
  }

  /** {@code ?invoke=name&op=operation} (no parameters): what the operation returned, as text. */
  String invoke(ObjectName name, String operation) throws IOException, InterruptedException {
    String body = ok(send("invoke=" + encode(name.toString()) + "&op=" + encode(operation)));
    String first = body.lines().findFirst().orElse("");
    if (!first.startsWith("OK - Operation " + operation)) {
      throw new AssertionError("jmxproxy invoke answer not understood:\n" + body);
    }
    return body.substring(first.length()).strip();
  }

  /** The HTTP answer to {@code ?query}, for tests that look at refusals. */
  HttpResponse<String> send(String query) throws IOException, InterruptedException {
    return tomcat.get("/manager/jmxproxy/?" + query, "Authorization", authorization);
  }

  private static String ok(HttpResponse<String> response) {
    if (response.statusCode() != 200 || !response.body().startsWith("OK")) {
      throw new AssertionError(
          "jmxproxy answered " + response.statusCode() + ":\n" + response.body());
    }
    return response.body();
  }

  private static ObjectName name(String text) {
    try {
      return new ObjectName(text);
    } catch (MalformedObjectNameException e) {
      throw new AssertionError("jmxproxy printed a name that is not one: " + text, e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
