package dev.gatewaywar.proxy;

import dev.gatewaywar.ErrorResponses;
import dev.gatewaywar.GatewayError;
import dev.gatewaywar.proxy.internal.CopyBuffer;
import dev.gatewaywar.routing.RouteMatch;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of every route's chain: sends the client's request to the route's upstream and streams
 * the answer back. Reads as one sequence of small steps, as Jetty's proxy servlet does: rewrite the
 * target, copy request headers, add forwarded headers, send, copy response headers, stream the
 * body. The four parties are named {@code clientRequest}, {@code proxyRequest}, {@code
 * upstreamResponse} and {@code clientResponse} throughout.
 */
public final class ProxyServlet extends HttpServlet {
  private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());

  private final transient UpstreamClient upstream;

  public ProxyServlet(UpstreamClient upstream) {
    this.upstream = upstream;
  }

  @Override
  protected void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse)
      throws IOException {
    if (clientRequest.getDispatcherType() == DispatcherType.ERROR) {
      writeContainerError(clientRequest, clientResponse);
      return;
    }
    ProxyRoute route = ProxyRoute.from(clientRequest).orElse(null);
    RouteMatch match = RouteMatch.from(clientRequest).orElse(null);
    if (route == null || match == null) {
      ErrorResponses.write(clientResponse, GatewayError.NOT_FOUND);
      return;
    }
    URI target;
    try {
      target = rewriteTarget(route, match, clientRequest);
    } catch (URISyntaxException e) {
      ErrorResponses.write(clientResponse, GatewayError.BAD_REQUEST);
      return;
    }
    UpstreamRequest proxyRequest =
        new UpstreamRequest(
            clientRequest.getMethod(),
            target,
            requestHeaders(route, clientRequest),
            hasBody(clientRequest) ? clientRequest.getInputStream() : null,
            clientRequest.getContentLengthLong(),
            route.timeouts());
    UpstreamResponse upstreamResponse;
    try {
      upstreamResponse = upstream.send(proxyRequest);
    } catch (UpstreamException e) {
      onSendFailure(e, target, clientResponse);
      return;
    }
    try (upstreamResponse) {
      clientResponse.setStatus(upstreamResponse.status());
      long contentLength = copyResponseHeaders(upstreamResponse, clientResponse);
      streamBody(upstreamResponse, clientResponse, contentLength);
    }
  }

  /** Target base + the normalised path (client's encoding kept) + the raw query. */
  static URI rewriteTarget(ProxyRoute route, RouteMatch match, HttpServletRequest clientRequest)
      throws URISyntaxException {
    String query = clientRequest.getQueryString();
    String uri = route.base() + match.path().raw() + (query == null ? "" : "?" + query);
    return new URI(uri);
  }

  static List<Map.Entry<String, String>> requestHeaders(
      ProxyRoute route, HttpServletRequest clientRequest) {
    HopByHopHeaders hopByHop = HopByHopHeaders.of(List.of());
    for (Enumeration<String> c = clientRequest.getHeaders("Connection"); c.hasMoreElements(); ) {
      hopByHop = hopByHop.with(c.nextElement());
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>(16);
    String forwardedFor = null;
    for (Enumeration<String> names = clientRequest.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      if (hopByHop.contains(name) || isFraming(name)) {
        continue;
      }
      if (name.equalsIgnoreCase("Host") && !route.preserveHost()) {
        continue;
      }
      if (name.equalsIgnoreCase("X-Forwarded-For")) {
        forwardedFor = String.join(", ", Collections.list(clientRequest.getHeaders(name)));
        continue;
      }
      if (name.equalsIgnoreCase("X-Forwarded-Proto") || name.equalsIgnoreCase("X-Forwarded-Host")) {
        continue;
      }
      for (Enumeration<String> values = clientRequest.getHeaders(name);
          values.hasMoreElements(); ) {
        headers.add(Map.entry(name, values.nextElement()));
      }
    }
    addForwardedHeaders(headers, forwardedFor, clientRequest);
    return headers;
  }

  /**
   * {@code X-Forwarded-For} gets the client's address appended (earlier entries are the client's
   * claim and are passed on as such, never used by the gateway itself); {@code -Proto} and {@code
   * -Host} describe this hop and replace whatever the client sent.
   */
  private static void addForwardedHeaders(
      List<Map.Entry<String, String>> headers,
      String forwardedFor,
      HttpServletRequest clientRequest) {
    String client = clientRequest.getRemoteAddr();
    headers.add(
        Map.entry(
            "X-Forwarded-For",
            forwardedFor == null || forwardedFor.isBlank()
                ? client
                : forwardedFor + ", " + client));
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
   * A request has a body when it says so (RFC 9112 section 6.3): a Content-Length, even 0 (a POST
   * upstreams would otherwise answer with 411), or a Transfer-Encoding.
   */
  private static boolean hasBody(HttpServletRequest clientRequest) {
    return clientRequest.getContentLengthLong() >= 0
        || clientRequest.getHeader("Transfer-Encoding") != null;
  }

  private void onSendFailure(UpstreamException e, URI target, HttpServletResponse clientResponse)
      throws IOException {
    if (e.failure() == UpstreamFailure.CLIENT_ABORTED) {
      LOG.fine(() -> "client went away mid-upload to " + target);
      return;
    }
    if (e.failure() == UpstreamFailure.POOL_EXHAUSTED) {
      // load shedding, possibly for thousands of requests a second: counted by the metrics
      // middleware's upstream failures, not logged one by one
      LOG.fine(() -> "no pooled connection to " + target.getAuthority() + " in time");
      ErrorResponses.write(clientResponse, e.failure().error());
      return;
    }
    LOG.log(
        Level.WARNING,
        "upstream "
            + target.getScheme()
            + "://"
            + target.getAuthority()
            + " failed: "
            + e.failure()
            + " ("
            + rootMessage(e)
            + ")");
    ErrorResponses.write(clientResponse, e.failure().error());
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Copies end-to-end headers; returns the body's Content-Length, or -1 when not given. */
  static long copyResponseHeaders(
      UpstreamResponse upstreamResponse, HttpServletResponse clientResponse) {
    long contentLength = -1;
    List<Map.Entry<String, String>> headers = upstreamResponse.headers();
    HopByHopHeaders hopByHop = HopByHopHeaders.of(List.of());
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase("Connection")) {
        hopByHop = hopByHop.with(h.getValue());
      }
    }
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey();
      if (hopByHop.contains(name)) {
        continue;
      }
      if (name.equalsIgnoreCase("Content-Length")) {
        // HttpClient has already checked the upstream's framing, so this parses
        contentLength = Long.parseLong(h.getValue().trim());
        clientResponse.setContentLengthLong(contentLength);
        continue;
      }
      clientResponse.addHeader(name, h.getValue());
    }
    return contentLength;
  }

  /**
   * Copies the body in bounded chunks. Flushes whenever the upstream has nothing more ready, so
   * event streams and chunked responses reach the client as they are produced, while a large
   * download still goes out in full buffers. If the client goes away, the upstream exchange is
   * aborted; if the upstream fails mid-body, the client's connection is cut (by throwing), so it
   * cannot mistake a truncated body for a complete one.
   */
  private static void streamBody(
      UpstreamResponse upstreamResponse, HttpServletResponse clientResponse, long contentLength)
      throws IOException {
    if (contentLength == 0) {
      return;
    }
    InputStream in = upstreamResponse.body();
    ServletOutputStream out = clientResponse.getOutputStream();
    CopyBuffer buffer = new CopyBuffer(contentLength);
    while (true) {
      byte[] bytes = buffer.bytes();
      int n;
      try {
        n = in.read(bytes);
      } catch (IOException e) {
        upstreamResponse.abort();
        throw new IOException("upstream failed mid-body: " + e, e);
      }
      if (n < 0) {
        break;
      }
      try {
        out.write(bytes, 0, n);
        buffer.read(n);
        if (in.available() == 0) {
          out.flush();
        }
      } catch (IOException e) {
        upstreamResponse.abort();
        LOG.fine(() -> "client went away mid-response: " + e);
        return;
      }
    }
  }

  private static void writeContainerError(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int code = status instanceof Integer i ? i : 500;
    ErrorResponses.write(response, GatewayError.forStatus(code));
    response.setStatus(code);
  }
}
