package dev.gatewaywar.ratelimit;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the local limiter costs a request: one {@link KeyedRateLimiter#tryAcquire} on a bucket that
 * exists (the common case: a returning client), allowed or limited, for one client or 100,000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xmx1g"})
public class RateLimitBenchmark {

  @State(Scope.Benchmark)
  public static class Buckets {
    /** 1: one busy client, all in CPU cache; 100,000: clients in turn, every bucket cold. */
    @Param({"1", "100000"})
    int clients;

    String[] keys;
    KeyedRateLimiter generous;
    KeyedRateLimiter exhausted;
    int next;

    @Setup(Level.Trial)
    public void fill() {
      // generous: never runs dry, so every call is an allowed take
      generous =
          KeyedRateLimiter.local(new RateLimitConfig(true, 1_000_000, 1_000_000), System::nanoTime);
      // exhausted: one token per 1000 s, taken below, so every call is a 429
      exhausted = KeyedRateLimiter.local(new RateLimitConfig(true, 0.001, 1), System::nanoTime);
      keys = new String[clients];
      for (int i = 0; i < clients; i++) {
        keys[i] = "a:10." + (i >>> 16) + "." + ((i >>> 8) & 255) + "." + (i & 255);
        generous.tryAcquire(keys[i]);
        exhausted.tryAcquire(keys[i]);
      }
    }

    String key() {
      next = next + 1 == clients ? 0 : next + 1;
      return keys[next];
    }

    @TearDown(Level.Trial)
    public void close() {
      generous.close();
      exhausted.close();
    }
  }

  @Benchmark
  public RateLimitDecision allowed(Buckets b) {
    return b.generous.tryAcquire(b.key());
  }

  @Benchmark
  public RateLimitDecision limited(Buckets b) {
    return b.exhausted.tryAcquire(b.key());
  }
}
