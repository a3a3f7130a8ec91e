package dev.gatewaywar.operations;

import dev.gatewaywar.api.ErrorResponses;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.clientaddress.TrustedProxies;
import dev.gatewaywar.config.AdminConfig;
import dev.gatewaywar.config.Cidr;
import dev.gatewaywar.operations.internal.StatusHtml;
import dev.gatewaywar.operations.internal.StatusJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The admin page ({@code admin:}): {@link GatewayStatus} as an HTML page an operator reads at a
 * glance at {@code admin.path}, and as JSON at {@code admin.path + "/api"}. Answered by the front
 * controller before route matching, like the metrics, so no route (a catch-all {@code /*} among
 * them) hides it, and none of a route's middleware runs for it.
 *
 * <p>Only clients in {@code admin.allow} get it, by the address {@link ClientAddress} resolves
 * ({@code X-Forwarded-For} only from {@code server.trusted_proxies}); others get 403. The page is
 * read-only (GET and HEAD; anything else 405) and carries no script.
 */
public final class AdminPage {
  private static final Logger LOG = Logger.getLogger(AdminPage.class.getName());
  private static final Map<String, String> ALLOW_GET = Map.of("Allow", "GET, HEAD");

  /** Nothing runs in the page, nothing may frame it, no URL of it leaves with a link. */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none';"
          + " base-uri 'none'; form-action 'none'";

  private static final AdminPage OFF = new AdminPage(null, List.of(), null, null);

  private final String path;
  private final String apiPath;
  private final List<Cidr> allow;
  private final GatewayStatus status;
  private final TrustedProxies trusted;

  private AdminPage(AdminConfig config, List<Cidr> allow, GatewayStatus status, TrustedProxies t) {
    this.path = config == null ? null : config.path();
    this.apiPath = config == null ? null : config.apiPath();
    this.allow = allow;
    this.status = status;
    this.trusted = t;
  }

  /**
   * The page {@code config} describes, showing {@code status}; one that answers nothing when off.
   */
  public static AdminPage of(AdminConfig config, GatewayStatus status, TrustedProxies trusted) {
    return config.enabled() ? new AdminPage(config, config.allow(), status, trusted) : OFF;
  }

  /**
   * Answers the request when {@code path} (the raw path within the webapp) is the page or its JSON.
   *
   * @return false when it is neither, and the request goes on to route matching
   */
  public boolean serve(String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (this.path == null || !path.startsWith(this.path)) {
      return false;
    }
    boolean html = path.equals(this.path);
    if (!html && !path.equals(apiPath)) {
      return false;
    }
    if (!allowed(ClientAddress.resolve(request, trusted))) {
      LOG.fine(() -> "admin page refused to " + request.getRemoteAddr());
      ErrorResponses.write(response, GatewayError.FORBIDDEN);
      return true;
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      ErrorResponses.write(response, GatewayError.METHOD_NOT_ALLOWED, ALLOW_GET);
      return true;
    }
    if (html) {
      String api = request.getContextPath() + apiPath;
      write(response, "text/html;charset=UTF-8", StatusHtml.render(status, api));
    } else {
      write(response, "application/json", StatusJson.render(status));
    }
    return true;
  }

  private boolean allowed(ClientAddress client) {
    Optional<InetAddress> address = client.address();
    return address.isPresent() && allow.stream().anyMatch(c -> c.contains(address.get()));
  }

  private static void write(HttpServletResponse response, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
