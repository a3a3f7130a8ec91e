package dev.gatewaywar.observability;

import dev.gatewaywar.api.Completion;
import java.util.Set;

/** Label values from bounded sets, so a client cannot make up new series. */
final class Labels {
  /**
   * RFC 9110 section 9 methods plus PATCH (RFC 5789); anything else is counted as {@code OTHER}.
   */
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  static final String OTHER_METHOD = "OTHER";

  private static final String[] STATUS = new String[600];

  static {
    for (int i = 0; i < STATUS.length; i++) {
      STATUS[i] = Integer.toString(i);
    }
  }

  private Labels() {}

  static String method(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }

  /** {@code upstream} or {@code client}, for a response that did not end complete. */
  static String cutBy(Completion.Ending ending) {
    return ending == Completion.Ending.UPSTREAM_CUT ? "upstream" : "client";
  }

  static String status(int status) {
    return status >= 0 && status < STATUS.length ? STATUS[status] : Integer.toString(status);
  }
}
