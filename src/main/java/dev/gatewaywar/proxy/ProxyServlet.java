package dev.gatewaywar.proxy;

import dev.gatewaywar.api.BodyLimit;
import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.ErrorResponses;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayHeaders;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.routing.RouteMatch;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/**
 * The end of every route's chain: sends the client's request to the route's upstream and streams
 * the answer back. Reads as one sequence of small steps, as Jetty's proxy servlet does: rewrite the
 * target, copy request headers, add forwarded headers, send; the response side (copy the response
 * head, stream the body) is {@link ResponseRelay}'s. The four parties are named {@code
 * clientRequest}, {@code proxyRequest}, {@code upstreamResponse} and {@code clientResponse}
 * throughout.
 */
public final class ProxyServlet extends HttpServlet {
  /**
   * About 24 days: never reached by a request, and small enough that a container adding it to a
   * clock in nanoseconds (Undertow's timer does) cannot overflow.
   */
  private static final long ASYNC_TIMEOUT_OUT_OF_REACH_MS = Integer.MAX_VALUE;

  private final transient UpstreamClient upstream;
  private final transient ClientBodyTimeouts bodyTimeouts;
  private final transient Retries retries;

  /**
   * @param bodyTimeouts ends uploads whose client went silent ({@code timeouts.client_body})
   * @param retries the webapp's budget for kept bodies, retry thread and retry count
   */
  public ProxyServlet(UpstreamClient upstream, ClientBodyTimeouts bodyTimeouts, Retries retries) {
    this.upstream = upstream;
    this.bodyTimeouts = bodyTimeouts;
    this.retries = retries;
  }

  @Override
  protected void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse)
      throws IOException {
    if (clientRequest.getDispatcherType() != DispatcherType.REQUEST) {
      // the container's error page (also for an async request it ended itself): never proxied
      writeContainerError(clientRequest, clientResponse);
      return;
    }
    ProxyRoute route = ProxyRoute.from(clientRequest).orElse(null);
    RouteMatch match = RouteMatch.from(clientRequest).orElse(null);
    if (route == null || match == null) {
      ErrorResponses.write(clientResponse, GatewayError.NOT_FOUND);
      return;
    }
    UpstreamTargets targets = route.targets();
    UpstreamTarget chosen = null;
    if (targets != null) {
      chosen = targets.choose(ClientAddress.of(clientRequest).value(), 0);
      if (chosen == null) {
        clientRequest.setAttribute(UpstreamChoice.ATTRIBUTE, NONE_AVAILABLE);
        ErrorResponses.write(clientResponse, GatewayError.NO_HEALTHY_UPSTREAM);
        return;
      }
    }
    URI target;
    try {
      target =
          rewriteTarget(chosen == null ? route.base() : chosen.base(), route, match, clientRequest);
    } catch (URISyntaxException e) {
      if (chosen != null) {
        chosen.failed(UpstreamFailure.CLIENT_ABORTED);
        chosen.done();
      }
      ErrorResponses.write(clientResponse, GatewayError.BAD_REQUEST);
      return;
    }
    // The answer is written later, on the upstream client's threads (ResponseRelay), and the
    // client's body is read when it arrives (ClientBody): no thread waits for either side. The
    // route's timeouts and the connector's own write timeout bound the exchange, so the
    // container's async timeout is set out of reach (a long download must not be cut). Out of
    // reach, not off (0): Tomcat times out an async request without a timeout as soon as its
    // webapp stops, before the gateway's drain (contextDestroyed) could wait for it.
    AsyncContext async = clientRequest.startAsync();
    async.setTimeout(ASYNC_TIMEOUT_OUT_OF_REACH_MS);
    ClientBody body = clientBody(clientRequest, async, route);
    UpstreamRequest proxyRequest =
        new UpstreamRequest(
            clientRequest.getMethod(),
            target,
            requestHeaders(route, clientRequest),
            body,
            ClientAddress.of(clientRequest).value(),
            route.upstreamSettings());
    ServletOutputStream out = clientResponse.getOutputStream();
    ResponseRelay relay =
        new ResponseRelay(
            async,
            clientRequest,
            clientResponse,
            out,
            target,
            Completion.begin(clientRequest),
            body);
    async.addListener(relay);
    out.setWriteListener(relay);
    if (chosen == null) {
      upstream.send(proxyRequest, relay);
    } else {
      String method = clientRequest.getMethod();
      ClientBody kept =
          body != null
                  && targets.mayResend(method)
                  && body.keep(targets.retry().maxBody(), retries.budget())
              ? body
              : null;
      BalancedExchange exchange =
          new BalancedExchange(targets, upstream, relay, retries, method, kept);
      if (targets.retry().attempts() > 1) {
        async.addListener(exchange); // drops a retry waiting for its backoff when the request ends
      }
      clientRequest.setAttribute(UpstreamChoice.ATTRIBUTE, exchange);
      exchange.send(chosen, proxyRequest);
    }
  }

  /**
   * Target base + the normalised path (client's encoding kept), as the route's {@code strip_prefix}
   * or {@code rewrite} changes it + the raw query.
   *
   * @param base the chosen target's base, for a route with several; else the route's
   */
  static URI rewriteTarget(
      String base, ProxyRoute route, RouteMatch match, HttpServletRequest clientRequest)
      throws URISyntaxException {
    String query = clientRequest.getQueryString();
    String path = route.rewrite().apply(match.path());
    String uri = base + path + (query == null ? "" : "?" + query);
    return new URI(uri);
  }

  /** A request of a route whose targets were all out: no target tried. */
  private static final UpstreamChoice NONE_AVAILABLE =
      new UpstreamChoice() {
        @Override
        public String upstream() {
          return null;
        }

        @Override
        public int attempts() {
          return 0;
        }
      };

  /**
   * The client's end-to-end headers, then the headers the gateway owns: {@code X-Forwarded-*} and
   * those filters set ({@link GatewayHeaders}). The owned ones come last and from the gateway
   * alone: the client's copies (and look-alikes, {@link OwnedHeaders}) are dropped, and a {@code
   * Connection} token naming one removes only the client's copy, never the gateway's.
   */
  static List<Map.Entry<String, String>> requestHeaders(
      ProxyRoute route, HttpServletRequest clientRequest) {
    HopByHopHeaders hopByHop = HopByHopHeaders.of(clientRequest.getHeaders("Connection"));
    OwnedHeaders owned = route.ownedHeaders();
    List<Map.Entry<String, String>> headers = new ArrayList<>(16);
    for (Enumeration<String> names = clientRequest.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      if (name.equalsIgnoreCase("Host")) {
        // before the hop-by-hop check: Host is required end to end (RFC 9112 section 3.2), so a
        // Connection token cannot take the client's Host from a preserve_host route
        if (route.preserveHost()) {
          headers.add(Map.entry(name, clientRequest.getHeader(name)));
        }
        continue;
      }
      if (hopByHop.contains(name)
          || isFraming(name)
          || owned.dropsClientHeader(name)
          || GatewayHeaders.removesClientHeader(clientRequest, name)) {
        continue;
      }
      for (Enumeration<String> values = clientRequest.getHeaders(name);
          values.hasMoreElements(); ) {
        headers.add(Map.entry(name, values.nextElement()));
      }
    }
    addForwardedHeaders(headers, clientRequest);
    route
        .rewrite()
        .forwardedPrefix()
        .ifPresent(p -> headers.add(Map.entry("X-Forwarded-Prefix", p)));
    headers.addAll(GatewayHeaders.of(clientRequest));
    return headers;
  }

  /**
   * {@code X-Forwarded-For} gets the client's address appended to the chain the client sent
   * (earlier entries are the client's claim and are passed on as such, never used by the gateway
   * itself; kept even when {@code Connection} names the header, so a client behind a trusted proxy
   * cannot erase that proxy's entry for it); {@code -Proto} and {@code -Host} describe this hop and
   * replace whatever the client sent.
   */
  private static void addForwardedHeaders(
      List<Map.Entry<String, String>> headers, HttpServletRequest clientRequest) {
    Enumeration<String> chain = clientRequest.getHeaders("X-Forwarded-For");
    String forwardedFor = chain.hasMoreElements() ? String.join(", ", Collections.list(chain)) : "";
    String client = clientRequest.getRemoteAddr();
    headers.add(
        Map.entry(
            "X-Forwarded-For", forwardedFor.isBlank() ? client : forwardedFor + ", " + client));
    headers.add(Map.entry("X-Forwarded-Proto", clientRequest.getScheme()));
    String host = clientRequest.getHeader("Host");
    if (host != null) {
      headers.add(Map.entry("X-Forwarded-Host", host));
    }
  }

  /** Body framing is per hop: the upstream request is framed from the body itself. */
  private static boolean isFraming(String name) {
    return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding");
  }

  /**
   * The client's body, read without blocking as it arrives; null when the request has none, or an
   * empty one (sent as none: HttpClient then writes {@code Content-Length: 0} itself for POST, PUT
   * and PATCH).
   */
  private ClientBody clientBody(
      HttpServletRequest clientRequest, AsyncContext async, ProxyRoute route) throws IOException {
    long length = clientRequest.getContentLengthLong();
    if (!hasBody(clientRequest) || length == 0) {
      return null;
    }
    ClientBody body =
        new ClientBody(
            clientRequest.getInputStream(),
            async,
            length,
            route.timeouts().clientBody().toNanos(),
            bodyTimeouts,
            BodyLimit.from(clientRequest).orElse(Long.MAX_VALUE));
    async.addListener(body);
    return body;
  }

  /**
   * A request has a body when it says so (RFC 9112 section 6.3): a Content-Length, even 0 (a POST
   * upstreams would otherwise answer with 411), or a Transfer-Encoding.
   */
  private static boolean hasBody(HttpServletRequest clientRequest) {
    return clientRequest.getContentLengthLong() >= 0
        || clientRequest.getHeader("Transfer-Encoding") != null;
  }

  private static void writeContainerError(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int code = status instanceof Integer i ? i : 500;
    try {
      ErrorResponses.write(response, GatewayError.forStatus(code));
    } catch (IllegalStateException e) {
      // the proxy's output was in non-blocking mode and busy: the container ends the response
      return;
    }
    response.setStatus(code);
  }
}
