package dev.gatewaywar.proxy.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests each client address has in flight to each upstream, so that one address cannot
 * take more than {@code upstream.max_connections_per_client} of an upstream's pooled connections.
 * An entry lives only while its count is above zero, so the map holds at most one entry per request
 * in flight, whatever number of addresses come and go.
 */
final class ClientShares {
  private final int limit;
  private final ConcurrentHashMap<Key, Integer> inFlight = new ConcurrentHashMap<>();

  /**
   * One client's requests to one upstream ({@code scheme://host:port}). A class with its own {@code
   * equals} and {@code hashCode}, not a record: a record's are linked through the JDK's shared
   * {@code ObjectMethods} handles, which on Java 17 to 19 keep the last record class they served
   * (see RecordMethodCaches), and an exchange ending on an upstream thread while the webapp stops
   * could leave this class there, pinning the undeployed webapp.
   */
  static final class Key {
    private final String upstream;
    private final String client;

    Key(String upstream, String client) {
      this.upstream = upstream;
      this.client = client;
    }

    String upstream() {
      return upstream;
    }

    String client() {
      return client;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && upstream.equals(k.upstream) && client.equals(k.client);
    }

    @Override
    public int hashCode() {
      return 31 * upstream.hashCode() + client.hashCode();
    }
  }

  ClientShares(int limit) {
    this.limit = limit;
  }

  /**
   * Counts one more request of {@code key}'s client to its upstream, unless it already has the
   * limit in flight.
   *
   * @return false when over the limit (nothing counted)
   */
  boolean tryAcquire(Key key) {
    boolean[] taken = {false};
    inFlight.compute(
        key,
        (k, n) -> {
          int count = n == null ? 0 : n;
          if (count >= limit) {
            return n;
          }
          taken[0] = true;
          return count + 1;
        });
    return taken[0];
  }

  /** One request counted by {@link #tryAcquire} ended; the entry goes at zero. */
  void release(Key key) {
    inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Requests of {@code key}'s client in flight to its upstream. */
  int inFlight(Key key) {
    return inFlight.getOrDefault(key, 0);
  }

  /** Number of (upstream, client) pairs with requests in flight: the structure's size. */
  int size() {
    return inFlight.size();
  }
}
