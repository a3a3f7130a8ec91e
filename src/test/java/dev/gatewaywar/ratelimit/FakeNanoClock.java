package dev.gatewaywar.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock tests move by hand: as a nano-time supplier and as a wall {@link Clock}. */
final class FakeNanoClock implements LongSupplier {
  private final AtomicLong nanos;

  FakeNanoClock(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /** The same time as a wall clock (epoch nanos), for Redis buckets. */
  Clock asWallClock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        long n = nanos.get();
        return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
      }
    };
  }
}
