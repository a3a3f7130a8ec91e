package dev.gatewaywar.observability;

import dev.gatewaywar.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Runs the rest of a route's chain and reports the status the client gets, for filters that record
 * requests (metrics, access log): a {@link GatewayException} thrown further down (an auth filter's
 * 401) reports the status the front controller is about to answer with, and anything else thrown
 * reports 500, unless the response was already committed.
 */
final class ChainOutcome {
  private ChainOutcome() {}

  /** Receives the final status, also when the chain throws. */
  @FunctionalInterface
  interface StatusRecorder {
    void record(int status);
  }

  /**
   * @param response the response the status is read from
   * @param forwardedRequest what the chain is given (the request, or a wrapper of it)
   * @param forwardedResponse what the chain is given (the response, or a wrapper of it)
   */
  static void run(
      FilterChain chain,
      HttpServletResponse response,
      ServletRequest forwardedRequest,
      HttpServletResponse forwardedResponse,
      StatusRecorder recorder)
      throws IOException, ServletException {
    int status = 0;
    try {
      chain.doFilter(forwardedRequest, forwardedResponse);
      status = response.getStatus();
    } catch (GatewayException e) {
      status = e.error().status();
      throw e;
    } finally {
      if (status == 0) {
        status = response.isCommitted() ? response.getStatus() : 500;
      }
      recorder.record(status);
    }
  }
}
