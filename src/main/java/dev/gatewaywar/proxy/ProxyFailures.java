package dev.gatewaywar.proxy;

import dev.gatewaywar.api.ErrorResponses;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.Map;
import java.util.logging.Logger;

/** What the client is told, and what is logged, when an upstream exchange fails. */
final class ProxyFailures {
  private static final Logger LOG = Logger.getLogger(ProxyFailures.class.getName());

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
      case POOL_EXHAUSTED, CLIENT_BODY_TIMEOUT, CLIENT_BODY_TOO_LARGE, CLIENT_SHARE_EXHAUSTED ->
          // load shedding (or a slow client's refusal), possibly thousands a second under attack:
          // counted by the metrics middleware's upstream failures, not logged one by one. A
          // refusal mid-upload closes the connection after it (ResponseRelay.closeIfBodyUnread).
          LOG.fine(() -> failure.failure() + " for " + upstreamName(target));
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
