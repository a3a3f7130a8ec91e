package dev.gatewaywar.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every request body kept for a retry may use together ({@code upstream.retry_buffer}):
 * a body reserves its bytes before they are kept and gives them back when its exchange ends. A body
 * that finds no room is sent without a copy (and is not retried), never refused.
 */
final class ReplayBudget {
  private final long size;
  private final AtomicLong reserved = new AtomicLong();

  ReplayBudget(long size) {
    this.size = size;
  }

  /**
   * @return false, reserving nothing, when {@code bytes} more would pass the budget
   */
  boolean tryReserve(long bytes) {
    while (true) {
      long now = reserved.get();
      if (bytes > size - now) {
        return false;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    reserved.addAndGet(-bytes);
  }

  /** The bytes reserved now. */
  long reserved() {
    return reserved.get();
  }
}
