package dev.gatewaywar.proxy;

import java.net.URI;
import java.net.URISyntaxException;

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
 * <p>Calls arrive one at a time per exchange (the upstream client's contract), the next attempt
 * only after the previous one failed: plain fields suffice, volatile for the access log's reader.
 */
final class BalancedExchange extends ForwardingUpstreamHandler implements UpstreamChoice {
  private final UpstreamTargets targets;
  private final UpstreamClient client;
  private final String pathAndQuery;
  private volatile UpstreamRequest request;
  private volatile UpstreamTarget current;
  private volatile int attempts;
  private long tried;
  private boolean answered;

  /**
   * @param pathAndQuery what follows a target's base in the upstream URI
   */
  BalancedExchange(
      UpstreamTargets targets, UpstreamClient client, UpstreamHandler relay, String pathAndQuery) {
    super(relay);
    this.targets = targets;
    this.client = client;
    this.pathAndQuery = pathAndQuery;
  }

  /** Sends {@code request} to {@code target}, taken by {@link UpstreamTargets#choose}. */
  void send(UpstreamTarget target, UpstreamRequest request) {
    this.current = target;
    this.request = request;
    this.tried |= target.bit();
    this.attempts++;
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

  @Override
  public void onResponse(UpstreamResponse response) {
    answered = true;
    current.answered(response.status());
    next.onResponse(response);
  }

  @Override
  public void onEnd() {
    current.done();
    next.onEnd();
  }

  @Override
  public void onFailure(UpstreamException failure) {
    UpstreamTarget failed = current;
    if (!answered) {
      failed.failed(failure.failure());
    }
    failed.done();
    if (!answered && movable(failure.failure())) {
      UpstreamTarget next = targets.choose(request.client(), tried);
      if (next != null) {
        URI uri = uriFor(next);
        if (uri != null) {
          send(next, withUri(request, uri));
          return;
        }
        next.failed(UpstreamFailure.CLIENT_ABORTED);
        next.done();
      }
    }
    next.onFailure(failure);
  }

  private boolean movable(UpstreamFailure failure) {
    return (failure == UpstreamFailure.UNREACHABLE || failure == UpstreamFailure.CONNECT_TIMEOUT)
        && request.body() == null;
  }

  private URI uriFor(UpstreamTarget target) {
    try {
      return new URI(target.base() + pathAndQuery);
    } catch (URISyntaxException e) {
      return null; // the same path and query made a URI with the first target's base
    }
  }

  private static UpstreamRequest withUri(UpstreamRequest r, URI uri) {
    return new UpstreamRequest(r.method(), uri, r.headers(), r.body(), r.client(), r.settings());
  }
}
