package dev.gatewaywar.observability;

import dev.gatewaywar.api.Completion;
import dev.gatewaywar.api.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Runs the rest of a route's chain and reports the status the client gets, for filters that record
 * requests (metrics, access log, tracing): a {@link GatewayException} thrown further down (an auth
 * filter's 401) reports the status the front controller is about to answer with, and anything else
 * thrown reports 500, unless the response was already committed. A response the proxy writes
 * asynchronously is reported when it is complete ({@link Completion}).
 */
final class ChainOutcome {
  private ChainOutcome() {}

  /**
   * Receives the final status, also when the chain throws, and how the response ended: a response
   * cut short keeps the status its head carried, and says so.
   */
  @FunctionalInterface
  interface StatusRecorder {
    void record(int status, Completion.Ending ending);
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
    run(chain, response, forwardedRequest, forwardedResponse, recorder, failure -> {});
  }

  /**
   * As above, and hands {@code failed} what the chain threw other than a gateway refusal (before
   * the status is recorded), for a span to record.
   */
  static void run(
      FilterChain chain,
      HttpServletResponse response,
      ServletRequest forwardedRequest,
      HttpServletResponse forwardedResponse,
      StatusRecorder recorder,
      Consumer<Throwable> failed)
      throws IOException, ServletException {
    try {
      chain.doFilter(forwardedRequest, forwardedResponse);
    } catch (GatewayException e) {
      recorder.record(e.error().status(), Completion.Ending.COMPLETE);
      throw e;
    } catch (IOException | ServletException | RuntimeException | Error e) {
      failed.accept(e);
      recorder.record(
          response.isCommitted() ? response.getStatus() : 500, Completion.Ending.COMPLETE);
      throw e;
    }
    // the proxy's answer may still be on its way: recorded when it is complete
    Completion.whenComplete(
        forwardedRequest,
        () -> recorder.record(response.getStatus(), Completion.ending(forwardedRequest)));
  }
}
