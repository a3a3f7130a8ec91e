package dev.gatewaywar;

import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.ErrorResponses;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.cors.CorsMiddleware;
import dev.gatewaywar.observability.GatewayMetrics;
import dev.gatewaywar.routing.BadPathException;
import dev.gatewaywar.routing.RequestPath;
import dev.gatewaywar.routing.RouteMatch;
import dev.gatewaywar.routing.Router;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's one container filter: normalises the path, finds the route, and runs that route's
 * filters in config order; the container's chain then ends in the proxy servlet. Requests no route
 * takes are answered here (400, 404, 405), and so are requests arriving while the gateway drains
 * (503). Each request holds a lease on the configuration it started with ({@link Runtimes}) until
 * its response is complete, so a reload never changes or closes anything under it. The proxy writes
 * its answer after this filter returned: the lease ends at the request's {@link Completion}.
 */
final class FrontController extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(FrontController.class.getName());

  /**
   * Sent with every refusal while shutting down: the client should not reuse this connection, and
   * may try again shortly (by then another instance, or this one restarted, takes it).
   */
  static final Map<String, String> SHUTTING_DOWN_HEADERS =
      Map.of("Connection", "close", "Retry-After", "5");

  private final Runtimes runtimes;
  private final GatewayMetrics metrics;

  FrontController(Runtimes runtimes, GatewayMetrics metrics) {
    this.runtimes = runtimes;
    this.metrics = metrics;
  }

  @Override
  protected void doFilter(
      HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
      throws IOException, ServletException {
    if (isHttp09(clientRequest)) {
      ErrorResponses.write(clientResponse, GatewayError.HTTP_VERSION_NOT_SUPPORTED);
      return;
    }
    GatewayRuntime current = runtimes.acquire();
    if (current == null) {
      ErrorResponses.write(clientResponse, GatewayError.SHUTTING_DOWN, SHUTTING_DOWN_HEADERS);
      return;
    }
    try {
      serve(current, clientRequest, clientResponse, chain);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      current.release();
      throw e;
    }
    // held until the proxy's answer is complete, which may be after this filter returned
    Completion.whenComplete(clientRequest, current::release);
  }

  private void serve(
      GatewayRuntime current,
      HttpServletRequest clientRequest,
      HttpServletResponse clientResponse,
      FilterChain chain)
      throws IOException, ServletException {
    String raw = pathWithinContext(clientRequest);
    // the health, metrics and admin endpoints still answer while draining: /readyz says 503 then
    if (current.endpoints().serve(raw, clientRequest, clientResponse)
        || current.admin().serve(raw, clientRequest, clientResponse)) {
      return;
    }
    // read after the lease was taken: a drain either sees this request or this request sees it
    if (runtimes.draining()) {
      ErrorResponses.write(clientResponse, GatewayError.SHUTTING_DOWN, SHUTTING_DOWN_HEADERS);
      return;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(raw, current.config().server().pathParameters());
    } catch (BadPathException e) {
      LOG.fine(() -> "bad request path: " + e.getMessage());
      ErrorResponses.write(clientResponse, GatewayError.BAD_REQUEST);
      return;
    }
    Router.Lookup<CompiledRoute> lookup = current.router().find(path, clientRequest.getMethod());
    if (lookup instanceof Router.MethodNotAllowed<CompiledRoute>) {
      lookup = preflightRoute(current, path, clientRequest).orElse(lookup);
    }
    if (lookup instanceof Router.Found<CompiledRoute> found) {
      CompiledRoute route = found.route().value();
      new RouteMatch(route.config().path(), found.params(), path).attachTo(clientRequest);
      // once, before any filter keys on it (rate limiting, logging)
      ClientAddress.resolve(clientRequest, current.trustedProxies()).attachTo(clientRequest);
      route.proxy().attachTo(clientRequest);
      runChain(route, chain, clientRequest, clientResponse);
    } else if (lookup instanceof Router.MethodNotAllowed<CompiledRoute> notAllowed) {
      ErrorResponses.write(
          clientResponse,
          GatewayError.METHOD_NOT_ALLOWED,
          Map.of("Allow", String.join(", ", notAllowed.allowed())));
    } else {
      ErrorResponses.write(clientResponse, GatewayError.NOT_FOUND);
    }
  }

  /**
   * A CORS preflight asks about the request it precedes: on a route that does not take OPTIONS but
   * lists {@code cors}, it goes to the route that request would take, whose {@code cors} answers
   * it.
   */
  private static Optional<Router.Lookup<CompiledRoute>> preflightRoute(
      GatewayRuntime current, RequestPath path, HttpServletRequest clientRequest) {
    String method = clientRequest.getHeader("Access-Control-Request-Method");
    if (!"OPTIONS".equals(clientRequest.getMethod())
        || method == null
        || clientRequest.getHeader("Origin") == null) {
      return Optional.empty();
    }
    return current.router().find(path, method) instanceof Router.Found<CompiledRoute> found
            && found.route().value().config().middleware().contains(CorsMiddleware.NAME)
        ? Optional.of(found)
        : Optional.empty();
  }

  private void runChain(
      CompiledRoute route,
      FilterChain terminal,
      HttpServletRequest clientRequest,
      HttpServletResponse clientResponse)
      throws IOException, ServletException {
    try {
      RouteChain.run(route.filters(), terminal, clientRequest, clientResponse);
    } catch (GatewayException e) {
      // counted here, the one place every filter's refusal passes, whatever filter raised it
      metrics.refused(route.config().path(), e.error());
      if (!ErrorResponses.write(clientResponse, e)) {
        throw new IOException("response already committed when " + e.error() + " occurred", e);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "route " + route.config().path() + " failed", e);
      if (!ErrorResponses.write(clientResponse, GatewayError.INTERNAL)) {
        throw e;
      }
    }
  }

  /**
   * An HTTP/0.9 request ({@code GET /path} and nothing more) carries no headers: no Host, no
   * Authorization, no Content-Length, and its answer has no status line. Tomcat accepts it and
   * reports an empty protocol; proxying it would hand the upstream a request the client never
   * wrote, and the client an answer it cannot check.
   */
  private static boolean isHttp09(HttpServletRequest request) {
    String protocol = request.getProtocol();
    return protocol == null || protocol.isEmpty() || protocol.equals("HTTP/0.9");
  }

  /** The raw path below the context path; upstreams never see the gateway's context path. */
  private static String pathWithinContext(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path =
        context.isEmpty() || !uri.startsWith(context) ? uri : uri.substring(context.length());
    return path.isEmpty() ? "/" : path;
  }
}
