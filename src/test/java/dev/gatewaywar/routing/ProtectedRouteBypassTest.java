package dev.gatewaywar.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatewaywar.auth.AuthConfig;
import dev.gatewaywar.auth.DevTokens;
import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.WebappDir;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The router and the upstream agree on the path: a route {@code /admin/*} guarded by auth beside a
 * catch-all {@code /*} without it, in front of two real upstreams that read paths differently (a
 * servlet on Tomcat, which cuts path parameters and decodes; and a server that serves {@code
 * /admin} when either the raw path or its decoded form names it, without resolving dot segments).
 * For every path form, with and without a valid token and in both {@code server.path_parameters}
 * modes, the request is refused, or the upstream reads the path as the gateway routed it: the admin
 * handler answers only when the protected route's chain ran (its forwarded {@code X-User-Id}
 * arrived).
 */
@Timeout(120)
class ProtectedRouteBypassTest {
  private static final String SECRET = "bypass-test-secret-0123456789abcdef";
  private static final String CHAIN_MARK = "X-User-Id";

  /** Path forms an attacker tries against {@code /admin/*}; each is sent as is. */
  static final List<String> FORMS =
      List.of(
          "/admin/secret",
          "/admin",
          "/public",
          "/admin;jsessionid=x/secret",
          "/admin;/secret",
          "/admin;x=y;z/secret",
          "/;x/admin/secret",
          "/admin/secret;x",
          "/admin;jsessionid=x",
          "/admin%3bx/secret",
          "/admin%3Bx/secret",
          "/%61dmin/secret",
          "/adm%69n/secret",
          "/%41DMIN/secret",
          "/ADMIN/secret",
          "/Admin/secret",
          "/admin%2fsecret",
          "/admin%2Fsecret",
          "/%2fadmin/secret",
          "/admin%5csecret",
          "/admin\\secret",
          "/public/..\\admin\\secret",
          "/public/../admin/secret",
          "/public/%2e%2e/admin/secret",
          "/public/%2E%2E/admin/secret",
          "/public/.%2e/admin/secret",
          "/public/..;/admin/secret",
          "/public/..;x=1/admin/secret",
          "/public/..%3b/admin/secret",
          "/public/..%2fadmin/secret",
          "/./admin/secret",
          "/%2e/admin/secret",
          "//admin/secret",
          "/public//../admin/secret",
          "/admin/./secret",
          "/admin/secret/..",
          "/%2561dmin/secret",
          "/public/%252e%252e/admin/secret",
          "/public%252f..%252fadmin/secret",
          "/admin%25/secret",
          "/admin./secret",
          "/admin%2e/secret",
          "/admin%20/secret",
          "/admin%09/secret",
          "/admin%00/secret",
          "/admin%0d%0a/secret",
          "/public%c0%af..%c0%afadmin/secret",
          "/public/%c0%ae%c0%ae/admin/secret",
          "/public%e0%80%af..%e0%80%afadmin/secret",
          "/admin%ef%bc%8fsecret",
          "/%ef%bd%81dmin/secret",
          "/admin%u002fsecret",
          "/admin?x=/../public");

  @TempDir static Path dir;
  private static Tomcat servletUpstream;
  private static HttpServer rawUpstream;
  private static final List<EmbeddedGateway> gateways = new ArrayList<>();
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    servletUpstream = startServletUpstream();
    rawUpstream = startRawUpstream();
    token =
        DevTokens.mint(
            new AuthConfig(true, "jwt", SECRET),
            "alice",
            Duration.ofMinutes(10),
            Map.of(),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    for (EmbeddedGateway g : gateways) {
      g.close();
    }
    if (servletUpstream != null) {
      servletUpstream.stop();
      servletUpstream.destroy();
    }
    if (rawUpstream != null) {
      rawUpstream.stop(0);
    }
  }

  /** One gateway per upstream and mode: built once, used by every form. */
  private static final Map<String, EmbeddedGateway> byKey = new java.util.HashMap<>();

  private static synchronized EmbeddedGateway gateway(String upstream, String mode)
      throws Exception {
    String key = upstream + " " + mode;
    EmbeddedGateway g = byKey.get(key);
    if (g == null) {
      int port =
          upstream.equals("servlet")
              ? servletUpstream.getConnector().getLocalPort()
              : rawUpstream.getAddress().getPort();
      String target = "http://127.0.0.1:" + port;
      Path config = dir.resolve(upstream + "-" + mode + ".yaml");
      Files.writeString(
          config,
          """
          server:
            path_parameters: %s
          auth:
            enabled: true
            secret: %s
          routes:
            - path: /admin/*
              target: %s
              middleware: [auth]
              auth:
                forward_claims: {sub: %s}
            - path: /*
              target: %s
          """
              .formatted(mode, SECRET, target, CHAIN_MARK, target));
      g = EmbeddedGateway.start(WebappDir.create(), config, 0);
      gateways.add(g);
      byKey.put(key, g);
    }
    return g;
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (String upstream : List.of("servlet", "raw")) {
      for (String mode : List.of("reject", "strip")) {
        for (String form : FORMS) {
          all.add(Arguments.of(upstream, mode, form));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} upstream, {1}: {2}")
  @MethodSource("cases")
  void noPathFormReachesTheProtectedHandlerWithoutTheProtectedChain(
      String upstream, String mode, String form) throws Exception {
    EmbeddedGateway g = gateway(upstream, mode);
    for (boolean withToken : List.of(false, true)) {
      RawHttp.Response r = send(g.port(), form, withToken);
      if (r.status() != 200) {
        assertTrue(
            List.of(400, 401, 404).contains(r.status()),
            form + " got " + r.status() + ": " + r.body());
        continue;
      }
      boolean chainRan = r.body().contains("chain=yes");
      boolean servedAdmin = r.body().startsWith("admin");
      if (servedAdmin != chainRan) {
        fail(
            form
                + (withToken ? " with a token" : " without a token")
                + ": upstream served "
                + r.body()
                + (chainRan ? " after" : " without")
                + " the protected route's chain");
      }
    }
  }

  @Test
  void theTableHoldsEnoughForms() {
    assertTrue(FORMS.size() >= 40, "at least 40 path forms");
  }

  @Test
  void parametersAreRefusedByDefaultAndCutWhenConfigured() throws Exception {
    assertEquals(400, send(gateway("servlet", "reject").port(), "/admin;x/secret", true).status());
    RawHttp.Response stripped = send(gateway("raw", "strip").port(), "/admin;x/secret", true);
    assertEquals(200, stripped.status());
    assertEquals("admin /admin/secret chain=yes", stripped.body());
  }

  private static RawHttp.Response send(int port, String path, boolean withToken)
      throws IOException {
    return RawHttp.send(
        port,
        "GET "
            + path
            + " HTTP/1.1\nHost: gw\n"
            + (withToken ? "Authorization: Bearer " + token + "\n" : "")
            + "Connection: close\n\n");
  }

  /** Tomcat with a servlet at {@code /admin/*} and {@code /admin}, another for the rest. */
  private static Tomcat startServletUpstream() throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createDirectories(dir.resolve("servlet-upstream")).toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
    Context context = tomcat.addContext("", null);
    Tomcat.addServlet(context, "admin", answering("admin"));
    Tomcat.addServlet(context, "public", answering("public"));
    context.addServletMappingDecoded("/admin/*", "admin");
    context.addServletMappingDecoded("/admin", "admin");
    context.addServletMappingDecoded("/", "public");
    tomcat.start();
    return tomcat;
  }

  private static HttpServlet answering(String what) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String chain = req.getHeader(CHAIN_MARK) == null ? "no" : "yes";
        res.setContentType("text/plain");
        res.getWriter().print(what + " " + req.getRequestURI() + " chain=" + chain);
      }
    };
  }

  /**
   * A server that takes paths as they come: {@code /admin} is served when the raw path, or the path
   * decoded once, is {@code /admin} or below it; no dot segment is resolved and {@code ;} is part
   * of the segment.
   */
  private static HttpServer startRawUpstream() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        (HttpExchange e) -> {
          String raw = e.getRequestURI().getRawPath();
          String decoded;
          try {
            decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException bad) {
            decoded = raw;
          }
          boolean admin = isAdmin(raw) || isAdmin(decoded);
          String chain = e.getRequestHeaders().getFirst(CHAIN_MARK) == null ? "no" : "yes";
          byte[] body =
              ((admin ? "admin " : "public ") + raw + " chain=" + chain)
                  .getBytes(StandardCharsets.UTF_8);
          e.sendResponseHeaders(200, body.length);
          e.getResponseBody().write(body);
          e.close();
        });
    server.start();
    return server;
  }

  private static boolean isAdmin(String path) {
    return path.equals("/admin") || path.startsWith("/admin/");
  }
}
