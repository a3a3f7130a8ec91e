package dev.gatewaywar.proxy;

import dev.gatewaywar.ErrorResponses;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.Map;
import java.util.logging.Logger;

/** What the client is told, and what is logged, when an upstream exchange fails. */
final class ProxyFailures {
  private static final Logger LOG = Logger.getLogger(ProxyFailures.class.getName());

  private static final Map<String, String> CLOSE = Map.of("Connection", "close");

  private ProxyFailures() {}

  /**
   * Logs {@code failure}, which happened before any of the upstream's answer reached the client,
   * and prepares the client's error response.
   *
   * @return the error's body, for the caller to write; null when nobody is left to answer
   */
  static byte[] answer(UpstreamException failure, URI target, HttpServletResponse clientResponse) {
    switch (failure.failure()) {
      case CLIENT_ABORTED -> {
        LOG.fine(() -> "client went away mid-upload to " + target);
        return null;
      }
      case CLIENT_BODY_TIMEOUT, CLIENT_SHARE_EXHAUSTED -> {
        // refused while the client may still be sending its body: the connection is not kept for
        // another request, so the rest is never read (RFC 9110 section 15.5.9 for the 408); a
        // client over its share must reconnect. Hot path under attack: debug log only.
        LOG.fine(() -> failure.failure() + " for " + upstreamName(target));
        return ErrorResponses.prepare(clientResponse, failure.failure().error(), CLOSE);
      }
      case POOL_EXHAUSTED ->
          // load shedding, possibly for thousands of requests a second: counted by the metrics
          // middleware's upstream failures, not logged one by one
          LOG.fine(() -> "no pooled connection to " + target.getAuthority() + " in time");
      default ->
          LOG.warning(() -> "upstream " + upstreamName(target) + " failed: " + describe(failure));
    }
    return ErrorResponses.prepare(clientResponse, failure.failure().error(), Map.of());
  }

  /** {@code scheme://host:port} of the target, for log lines: never the path or query. */
  static String upstreamName(URI target) {
    return target.getScheme() + "://" + target.getAuthority();
  }

  /** The failure's kind and its root cause, for one log line without a stack trace. */
  static String describe(UpstreamException failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return failure.failure()
        + " ("
        + root.getClass().getSimpleName()
        + ": "
        + root.getMessage()
        + ")";
  }
}
