package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamSet.Retry;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One request of a route with several targets (or a {@code retry:} block), between the upstream
 * client and the {@link ResponseRelay}: ends each attempt on its target (breaker, requests in
 * flight), and sends the request again when an attempt failed in a way that allows it.
 *
 * <ul>
 *   <li>A connection refused or not made in time moves the request to another available target at
 *       once, each target at most once, whatever the method: the request never reached that
 *       upstream.
 *   <li>Otherwise an attempt whose outcome the route's {@code retry.when} lists (502/503/504
 *       answers, a connection reset or closed before an answer, a read timeout, a connect failure)
 *       is tried again after {@code retry.backoff}, on another target when there is one, while
 *       {@code retry.attempts} allow it and the method is one of {@code retry.methods}. An answer
 *       tried again is aborted: nothing of it reaches the client, and once an answer has gone to
 *       the relay there is no other attempt.
 * </ul>
 *
 * <p>A request with a body is sent again only when the body is kept whole ({@link ClientBody#keep}
 * within {@code retry.max_body} and the webapp's budget); after an answer, only when the client's
 * body had ended before it (an upstream answering early did not read it all).
 *
 * <p>The relay gets this object as the upstream's response, so an exchange it aborts (the client
 * went away) still ends its call on the target: after an abort no handler call follows. As the
 * request's {@link AsyncListener}, it drops a retry still waiting for its backoff when the request
 * ends.
 *
 * <p>Calls arrive one at a time per exchange (the upstream client's contract), the next attempt
 * only after the previous one ended, from an I/O thread or the retry thread: fields are volatile
 * for the threads that take turns and the access log's reader.
 */
final class BalancedExchange extends ForwardingUpstreamHandler
    implements UpstreamChoice, UpstreamResponse, AsyncListener {
  private static final AtomicIntegerFieldUpdater<BalancedExchange> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(BalancedExchange.class, "ended");

  private final UpstreamTargets targets;
  private final UpstreamClient client;
  private final Retry policy;
  private final Retries retries;
  private final String method;
  private final ClientBody kept;

  /**
   * An exchange that only moves requests without a body after connect failures.
   *
   * @param targets the route's targets, for a target to move to
   * @param client sends each attempt
   * @param relay gets the answer, or the last failure
   */
  BalancedExchange(UpstreamTargets targets, UpstreamClient client, UpstreamHandler relay) {
    this(targets, client, relay, null, null, null);
  }

  /**
   * @param retries the retry thread, budget and counter; null for no retries but moves
   * @param method the request's method, for {@code retry.methods}
   * @param kept the client's body when it is kept for another attempt ({@link ClientBody#keep});
   *     null when the request has none, or it is not kept
   */
  BalancedExchange(
      UpstreamTargets targets,
      UpstreamClient client,
      UpstreamHandler relay,
      Retries retries,
      String method,
      ClientBody kept) {
    super(relay);
    this.targets = targets;
    this.client = client;
    this.policy = targets.retry();
    this.retries = retries;
    this.method = method;
    this.kept = kept;
  }

  // --- the request's state: one attempt at a time --------------------------------------------

  private volatile UpstreamRequest request;
  private volatile UpstreamTarget current;
  private volatile UpstreamResponse response;
  private volatile int attempts;

  /** 1 once the answered call has ended on its target. */
  private volatile int ended;

  /** The bits of the targets tried ({@link UpstreamTarget#bit}). */
  private volatile long tried;

  /** The target a retry waits to be sent to (taken already); null when none waits. */
  private final AtomicReference<UpstreamTarget> waiting = new AtomicReference<>();

  /** What the client is told when a waiting retry cannot be sent after all. */
  private volatile UpstreamException lastFailure;

  private volatile boolean clientGone;

  /** Sends {@code request} to {@code target}, taken by {@link UpstreamTargets#choose}. */
  void send(UpstreamTarget target, UpstreamRequest request) {
    tried |= target.bit();
    attempts++;
    current = target;
    this.request = request;
    if (attempts > 1 && retries != null) {
      retries.retried(targets.route());
    }
    client.send(request, this);
  }

  @Override
  public String upstream() {
    UpstreamTarget t = current;
    return t == null ? null : t.base();
  }

  @Override
  public int attempts() {
    return attempts;
  }

  // --- the upstream client's side ---------------------------------------------------------------

  @Override
  public void onResponse(UpstreamResponse answer) {
    UpstreamTarget t = current;
    t.answered(answer.status());
    if (retriesAnswer(answer.status())) {
      UpstreamTarget other = chooseForRetry();
      if (other != null) {
        answer.abort(); // nothing of it reaches the client
        t.done();
        if (later(
            other,
            new UpstreamException(
                UpstreamFailure.PROTOCOL,
                new IOException("retry of a " + answer.status() + " answer not sent")))) {
          return;
        }
        last(lastFailure);
        return;
      }
    }
    response = answer;
    if (kept != null) {
      kept.stopKeeping(); // an answer went to the client: no other attempt
    }
    next.onResponse(this);
  }

  @Override
  public void onEnd() {
    endAnswered();
    next.onEnd();
  }

  @Override
  public void onFailure(UpstreamException failure) {
    if (response != null) {
      endAnswered(); // cut mid-body: the breaker had the answer's status
      next.onFailure(failure);
      return;
    }
    UpstreamTarget failed = current;
    failed.failed(failure.failure());
    failed.done();
    if (!clientGone && replayable()) {
      if (isConnectFailure(failure.failure())) {
        UpstreamTarget other = targets.choose(request.client(), tried);
        if (other != null && resend(other)) {
          return;
        }
      }
      Retry.When outcome = outcomeOf(failure.failure());
      if (outcome != null && policy.when().contains(outcome) && mayRetry()) {
        UpstreamTarget other = chooseForRetry();
        if (other != null && later(other, failure)) {
          return;
        }
      }
    }
    last(failure);
  }

  /** No other attempt: the client gets {@code failure}. */
  private void last(UpstreamException failure) {
    if (kept != null) {
      kept.stopKeeping();
      kept.discard();
    }
    next.onFailure(failure);
  }

  private void endAnswered() {
    if (ENDED.compareAndSet(this, 0, 1)) {
      current.done();
    }
  }

  private static boolean isConnectFailure(UpstreamFailure failure) {
    return failure == UpstreamFailure.UNREACHABLE || failure == UpstreamFailure.CONNECT_TIMEOUT;
  }

  /** The {@code retry.when} value of a failed attempt; null for failures never tried again. */
  private static Retry.When outcomeOf(UpstreamFailure failure) {
    return switch (failure) {
      case UNREACHABLE, CONNECT_TIMEOUT -> Retry.When.CONNECT_FAILURE;
      case PROTOCOL -> Retry.When.BAD_GATEWAY;
      case READ_TIMEOUT -> Retry.When.GATEWAY_TIMEOUT;
      default -> null;
    };
  }

  /** Whether the request can be sent again: it has no body, or its body is kept whole so far. */
  private boolean replayable() {
    return request.body() == null || (kept != null && kept.kept());
  }

  /** Whether {@code retry} allows another attempt of this request (moves aside). */
  private boolean mayRetry() {
    return retries != null
        && !clientGone
        && attempts < policy.attempts()
        && policy.allows(method)
        && replayable();
  }

  /**
   * Whether an answer with {@code status} is tried again: listed in {@code when}, and the client's
   * body (if any) had ended, so the upstream answered the whole request.
   */
  private boolean retriesAnswer(int status) {
    Retry.When outcome = Retry.When.forStatus(status);
    return outcome != null
        && policy.when().contains(outcome)
        && mayRetry()
        && (request.body() == null || kept.complete());
  }

  /**
   * The target of a retry: one not tried yet; else another than the last; else the last one again.
   */
  private UpstreamTarget chooseForRetry() {
    String client = request.client();
    UpstreamTarget t = targets.choose(client, tried);
    if (t == null) {
      t = targets.choose(client, current.bit());
    }
    return t != null ? t : targets.choose(client, 0);
  }

  /**
   * Sends the request to {@code target} after {@code retry.backoff}, on the retry thread.
   *
   * @return false when it cannot wait (the webapp is stopping, or the client went away): the target
   *     is given back, and the caller answers with the failure
   */
  private boolean later(UpstreamTarget target, UpstreamException failure) {
    lastFailure = failure;
    waiting.set(target);
    if (clientGone || !retries.schedule(this::retryNow, policy.backoff().toNanos())) {
      UpstreamTarget t = waiting.getAndSet(null);
      if (t != null) {
        giveBack(t);
      }
      return t == null; // taken by the request's end meanwhile: nobody is left to answer
    }
    return true;
  }

  /** The backoff passed: the waiting retry goes, unless the request ended meanwhile. */
  private void retryNow() {
    UpstreamTarget t = waiting.getAndSet(null);
    if (t != null && !resend(t)) {
      last(lastFailure);
    }
  }

  /**
   * Sends the request again, to {@code target}, with its body from the first byte.
   *
   * @return false when it cannot be (the body is no longer kept whole): the target is given back
   */
  private boolean resend(UpstreamTarget target) {
    URI uri = uriFor(target);
    if (uri == null || (request.body() != null && !kept.rewind())) {
      giveBack(target);
      return false;
    }
    send(target, withUri(request, uri));
    return true;
  }

  /** Ends a call taken for an attempt that is not sent: it says nothing about the target. */
  private static void giveBack(UpstreamTarget target) {
    target.failed(UpstreamFailure.CLIENT_ABORTED);
    target.done();
  }

  /** The same path and query on {@code target}. */
  private URI uriFor(UpstreamTarget target) {
    String uri = request.uri().toString();
    try {
      return new URI(target.base() + uri.substring(current.base().length()));
    } catch (URISyntaxException e) {
      return null; // the same path and query made a URI with the first target's base
    }
  }

  private static UpstreamRequest withUri(UpstreamRequest r, URI uri) {
    return new UpstreamRequest(r.method(), uri, r.headers(), r.body(), r.client(), r.settings());
  }

  // --- the request's end, as the container tells it ------------------------------------------

  @Override
  public void onComplete(AsyncEvent event) {
    requestEnded();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    requestEnded();
  }

  @Override
  public void onError(AsyncEvent event) {
    requestEnded();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted: the proxy starts async once per request
  }

  /** A retry waiting for its backoff is not sent: its target is given back. */
  private void requestEnded() {
    clientGone = true;
    UpstreamTarget t = waiting.getAndSet(null);
    if (t != null) {
      giveBack(t);
    }
  }

  // --- the response, as the relay sees it -------------------------------------------------------

  @Override
  public int status() {
    return response.status();
  }

  @Override
  public List<Map.Entry<String, String>> headers() {
    return response.headers();
  }

  @Override
  public long contentLength() {
    return response.contentLength();
  }

  @Override
  public void resume() {
    response.resume();
  }

  @Override
  public void abort() {
    response.abort();
    endAnswered();
  }
}
