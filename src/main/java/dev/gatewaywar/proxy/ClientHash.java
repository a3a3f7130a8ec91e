package dev.gatewaywar.proxy;

import java.util.Arrays;

/**
 * Consistent hashing on the client's address: each target owns {@link #POINTS_PER_WEIGHT} points
 * per unit of weight (fewer when the weights add up to more than {@link #MAX_POINTS} points) on a
 * ring of 64-bit hashes of its URL, and a client goes to the owner of the first point at or after
 * its own hash (the next one round the ring when that target is out). Adding a target takes over
 * only the arcs before its own points, so about 1/N of the clients move; a target that is out sends
 * its clients to their next owners only while it is out.
 */
final class ClientHash implements Balancer {
  static final int POINTS_PER_WEIGHT = 160;

  /** Ring size bound: heavy weights get fewer points per unit, in the same proportions. */
  static final int MAX_POINTS = 1 << 16;

  private final long[] points;
  private final int[] owners;

  ClientHash(UpstreamTarget[] targets) {
    int weights = 0;
    for (UpstreamTarget t : targets) {
      weights += t.weight();
    }
    int perWeight = Math.max(1, Math.min(POINTS_PER_WEIGHT, MAX_POINTS / weights));
    int count = weights * perWeight;
    long[][] pairs = new long[count][];
    int k = 0;
    for (int i = 0; i < targets.length; i++) {
      int n = targets[i].weight() * perWeight;
      for (int p = 0; p < n; p++) {
        pairs[k++] = new long[] {hash(targets[i].url().toString() + "#" + p), i};
      }
    }
    Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
    points = new long[count];
    owners = new int[count];
    for (int i = 0; i < count; i++) {
      points[i] = pairs[i][0];
      owners[i] = (int) pairs[i][1];
    }
  }

  @Override
  public int pick(String client, long excluded) {
    int at = Arrays.binarySearch(points, hash(client));
    if (at < 0) {
      at = -at - 1;
    }
    for (int k = 0; k < points.length; k++) {
      int i = at + k;
      int owner = owners[i < points.length ? i : i - points.length];
      if ((excluded & (1L << owner)) == 0) {
        return owner;
      }
    }
    return -1;
  }

  /**
   * FNV-1a over the characters (addresses and URLs are ASCII; no byte array made per request), then
   * MurmurHash3's 64-bit finaliser to spread the bits.
   */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe63ae53bL;
    h ^= h >>> 33;
    return h;
  }
}
