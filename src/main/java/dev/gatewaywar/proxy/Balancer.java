package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamSet;

/**
 * Picks a route's target for a request among those not excluded; made once per route. Runs on the
 * request path: no allocation, no look-up by name.
 */
interface Balancer {

  /**
   * @param client the client's resolved address (for sticky balancing)
   * @param excluded bit {@code i} set: target {@code i} is unavailable or was tried already
   * @return the index of the target, or -1 when every target is excluded
   */
  int pick(String client, long excluded);

  static Balancer of(UpstreamSet.Balance balance, UpstreamTarget[] targets) {
    return switch (balance) {
      case ROUND_ROBIN -> new RoundRobin(targets);
      case LEAST_REQUESTS -> new LeastRequests(targets);
      case CLIENT_HASH -> new ClientHash(targets);
    };
  }
}
