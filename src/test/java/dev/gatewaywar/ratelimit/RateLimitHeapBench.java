package dev.gatewaywar.ratelimit;

import io.github.bucket4j.Bucket;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heap held by the local rate limiter while 1,000,000 distinct client keys arrive (a scan, or a
 * botnet): the Go original's map kept one bucket per address forever. Prints the live heap (after
 * full GCs) at checkpoints, for the bounded limiter and, for comparison, for an unbounded map of
 * the same Bucket4j buckets. Not a test: {@code bench/ratelimit-heap.sh} runs it.
 *
 * <p>Arguments: {@code bounded|unbounded} [keys] [max_keys].
 */
public final class RateLimitHeapBench {
  private RateLimitHeapBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "bounded";
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int maxKeys = args.length > 2 ? Integer.parseInt(args[2]) : RateLimitConfig.DEFAULT_MAX_KEYS;
    RateLimitConfig config =
        new RateLimitConfig(
            true,
            5,
            4,
            RateLimitConfig.Key.ADDRESS,
            RateLimitConfig.Backend.LOCAL,
            null,
            RateLimitConfig.OnBackendError.ALLOW,
            maxKeys,
            RateLimitConfig.DEFAULT_IDLE_TIMEOUT);
    KeyedRateLimiter limiter =
        mode.equals("bounded") ? KeyedRateLimiter.local(config, System::nanoTime) : unbounded();
    long base = liveHeap();
    System.out.printf("mode=%s max_keys=%d baseline_live_heap_mb=%.1f%n", mode, maxKeys, mb(base));
    long start = System.nanoTime();
    int next = 0;
    for (int checkpoint : new int[] {100_000, 250_000, 500_000, 750_000, 1_000_000}) {
      if (checkpoint > keys) {
        break;
      }
      for (; next < checkpoint; next++) {
        // request-shaped keys: an address per client, as ClientKeyResolver makes them
        limiter.tryAcquire(
            "a:10." + (next >>> 16) + "." + ((next >>> 8) & 255) + "." + (next & 255));
      }
      long heap = liveHeap();
      System.out.printf(
          "keys=%d buckets=%d live_heap_mb=%.1f above_baseline_mb=%.1f%n",
          checkpoint, limiter.bucketCount(), mb(heap), mb(heap - base));
    }
    System.out.printf("ns_per_new_key=%.0f%n", (System.nanoTime() - start) / (double) next);
  }

  /** The Go original's shape: a map that only grows. */
  private static KeyedRateLimiter unbounded() {
    Map<String, Bucket> map = new ConcurrentHashMap<>();
    return new KeyedRateLimiter() {
      @Override
      public RateLimitDecision tryAcquire(String key) {
        Bucket b =
            map.computeIfAbsent(
                key,
                k ->
                    Bucket.builder()
                        .addLimit(l -> l.capacity(4).refillGreedy(1, Duration.ofMillis(200)))
                        .build());
        return b.tryConsume(1)
            ? new RateLimitDecision(RateLimitDecision.Outcome.ALLOWED, 4, 0, 0, 0)
            : new RateLimitDecision(RateLimitDecision.Outcome.LIMITED, 4, 0, 0, 0);
      }

      @Override
      public long bucketCount() {
        return map.size();
      }

      @Override
      public void close() {}
    };
  }

  private static long liveHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
