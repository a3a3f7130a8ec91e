package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamSet.Retry;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A route's targets as one configuration uses them ({@code targets:}, or one target with health
 * checks or a breaker): chooses the target of each call. Made by {@link TargetMonitor#open}; closed
 * with the configuration, which gives the targets' health back to the monitor.
 */
public final class UpstreamTargets implements AutoCloseable {
  private final String route;
  private final UpstreamTarget[] targets;
  private final long all;
  private final Balancer balancer;
  private final Retry retry;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  UpstreamTargets(
      String route, UpstreamTarget[] targets, Balancer balancer, Retry retry, Runnable release) {
    this.route = route;
    this.targets = targets;
    this.all = targets.length == Long.SIZE ? -1L : (1L << targets.length) - 1;
    this.balancer = balancer;
    this.retry = retry;
    this.release = release;
  }

  /** The route's pattern, as metrics label it. */
  public String route() {
    return route;
  }

  public List<UpstreamTarget> targets() {
    return List.of(targets);
  }

  /** The route's {@code retry:} block, or its defaults. */
  Retry retry() {
    return retry;
  }

  /**
   * Whether a request with {@code method} could be sent more than once, so its body is worth
   * keeping: to another target after a connect failure, or as a retry.
   */
  boolean mayResend(String method) {
    return retry.maxBody() > 0
        && (targets.length > 1 || (retry.attempts() > 1 && retry.allows(method)));
  }

  /**
   * Takes a target for one call: healthy, not in {@code tried}, with its breaker letting the call
   * through. The caller ends the call ({@link UpstreamTarget#answered} or {@link
   * UpstreamTarget#failed}, then {@link UpstreamTarget#done}).
   *
   * @param client the client's resolved address, for {@code client_hash}
   * @param tried the bits ({@link UpstreamTarget#bit}) of the targets this request already tried
   * @return the target, or null when none is available
   */
  UpstreamTarget choose(String client, long tried) {
    long excluded = tried;
    for (UpstreamTarget t : targets) {
      if (!t.healthy()) {
        excluded |= t.bit();
      }
    }
    while (excluded != all) {
      int i = balancer.pick(client, excluded);
      if (i < 0) {
        return null;
      }
      if (targets[i].take()) {
        return targets[i];
      }
      excluded |= targets[i].bit();
    }
    return null;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
