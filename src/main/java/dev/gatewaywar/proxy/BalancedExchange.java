package dev.gatewaywar.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One request of a route with several targets, between the upstream client and the {@link
 * ResponseRelay}: ends each call on its target (breaker, requests in flight), and moves a request
 * whose connection failed (refused, connect timeout) to another available target, once per target.
 * The request never reached that upstream, so this is safe whatever the method.
 *
 * <p>Only a request without a body is moved: a body is read from the client as it is sent, so once
 * it has begun (and a request with a body takes its connection only then) its first bytes are in
 * the failed call and cannot be sent again. Such a request gets the failure's answer (502, 504).
 *
 * <p>The relay gets this object as the upstream's response, so an exchange it aborts (the client
 * went away) still ends its call on the target: after an abort no handler call follows.
 *
 * <p>Calls arrive one at a time per exchange (the upstream client's contract), the next attempt
 * only after the previous one failed: plain fields suffice, volatile for the access log's reader.
 */
final class BalancedExchange extends ForwardingUpstreamHandler
    implements UpstreamChoice, UpstreamResponse {
  private static final AtomicIntegerFieldUpdater<BalancedExchange> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(BalancedExchange.class, "ended");

  private final UpstreamTargets targets;
  private final UpstreamClient client;

  /**
   * @param targets the route's targets, for a target to move to
   * @param client sends each attempt
   * @param relay gets the answer, or the last failure
   */
  BalancedExchange(UpstreamTargets targets, UpstreamClient client, UpstreamHandler relay) {
    super(relay);
    this.targets = targets;
    this.client = client;
  }

  // --- the request's state: one attempt at a time --------------------------------------------

  private volatile UpstreamRequest request;
  private volatile UpstreamTarget current;
  private volatile UpstreamResponse response;
  private volatile int attempts;

  /** 1 once the answered call has ended on its target. */
  private volatile int ended;

  /** The bits of the targets tried ({@link UpstreamTarget#bit}). */
  private long tried;

  /** Sends {@code request} to {@code target}, taken by {@link UpstreamTargets#choose}. */
  void send(UpstreamTarget target, UpstreamRequest request) {
    tried |= target.bit();
    attempts++;
    current = target;
    this.request = request;
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
    response = answer;
    current.answered(answer.status());
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
    if (movable(failure.failure())) {
      UpstreamTarget other = targets.choose(request.client(), tried);
      if (other != null) {
        URI uri = uriFor(other);
        if (uri != null) {
          send(other, withUri(request, uri));
          return;
        }
        other.failed(UpstreamFailure.CLIENT_ABORTED);
        other.done();
      }
    }
    next.onFailure(failure);
  }

  private void endAnswered() {
    if (ENDED.compareAndSet(this, 0, 1)) {
      current.done();
    }
  }

  private boolean movable(UpstreamFailure failure) {
    return (failure == UpstreamFailure.UNREACHABLE || failure == UpstreamFailure.CONNECT_TIMEOUT)
        && request.body() == null;
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
