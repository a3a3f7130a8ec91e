package dev.gatewaywar.proxy;

/**
 * Smooth weighted round robin, as nginx does it: each pick adds every candidate's weight to its
 * running score, takes the highest and subtracts the candidates' total from it. Weights 3:1 give a,
 * a, b, a (never a burst of the heavy target), and a target out of rotation simply stops gaining
 * score.
 */
final class RoundRobin implements Balancer {
  private final int[] weights;
  private final int[] current;

  RoundRobin(UpstreamTarget[] targets) {
    weights = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      weights[i] = targets[i].weight();
    }
    current = new int[targets.length];
  }

  @Override
  public int pick(String client, long excluded) {
    synchronized (current) {
      int best = -1;
      int total = 0;
      for (int i = 0; i < weights.length; i++) {
        if ((excluded & (1L << i)) != 0) {
          continue;
        }
        current[i] += weights[i];
        total += weights[i];
        if (best < 0 || current[i] > current[best]) {
          best = i;
        }
      }
      if (best >= 0) {
        current[best] -= total;
      }
      return best;
    }
  }
}
