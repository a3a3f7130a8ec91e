package dev.gatewaywar.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The target with the fewest requests in flight relative to its weight. The scan starts one target
 * further each time, so ties (an idle route: every target at 0) go round in turn instead of always
 * to the first target.
 */
final class LeastRequests implements Balancer {
  private final UpstreamTarget[] targets;
  private final AtomicInteger start = new AtomicInteger();

  LeastRequests(UpstreamTarget[] targets) {
    this.targets = targets;
  }

  @Override
  public int pick(String client, long excluded) {
    int n = targets.length;
    int first = Math.floorMod(start.getAndIncrement(), n);
    int best = -1;
    long bestLoad = 0;
    int bestWeight = 1;
    for (int k = 0; k < n; k++) {
      int i = first + k < n ? first + k : first + k - n;
      if ((excluded & (1L << i)) != 0) {
        continue;
      }
      long load = targets[i].inFlight();
      int weight = targets[i].weight();
      // load/weight < bestLoad/bestWeight, without division
      if (best < 0 || load * bestWeight < bestLoad * weight) {
        best = i;
        bestLoad = load;
        bestWeight = weight;
      }
    }
    return best;
  }
}
