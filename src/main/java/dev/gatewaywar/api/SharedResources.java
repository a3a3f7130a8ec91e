package dev.gatewaywar.api;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Resources a middleware's filters share when their settings are equal (an access log, a tracer
 * provider, a rate limiter, a token verifier), opened by the first filter that needs one and closed
 * when the last one using it is destroyed: when the webapp stops, or when a reload retires the
 * configuration and a new one no longer asks for those settings.
 *
 * <p>Keys are compared by value ({@code equals}), never by identity: the settings are immutable
 * records, so a reload that keeps a block as it was hands its new filters the resource already open
 * (the same buckets, the same JWKS cache, the same log) instead of opening another beside it. A key
 * whose type has no value equality simply shares nothing across configurations.
 *
 * @param <K> the settings that decide whether two filters may share
 * @param <R> the resource
 */
public final class SharedResources<K, R> {
  private final Map<K, Held<R>> held = new HashMap<>();
  private final Consumer<? super R> close;

  /**
   * @param close how a resource is closed once its last lease is released
   */
  public SharedResources(Consumer<? super R> close) {
    this.close = close;
  }

  /** One user's hold on a resource; {@link #release()} once, when that user is retired. */
  public static final class Lease<R> {
    private final R resource;
    private final Runnable release;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(R resource, Runnable release) {
      this.resource = resource;
      this.release = release;
    }

    public R resource() {
      return resource;
    }

    /** Gives the resource back; the last release closes it. Later calls do nothing. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        release.run();
      }
    }
  }

  /** The resource for {@code key}, opened with {@code open} when nothing holds one. */
  public synchronized Lease<R> acquire(K key, Function<? super K, ? extends R> open) {
    Held<R> h = held.get(key);
    if (h == null) {
      h = new Held<>(open.apply(key));
      held.put(key, h);
    }
    h.users++;
    return new Lease<>(h.resource, () -> release(key));
  }

  /** How many resources are open: for tests and diagnostics. */
  public synchronized int size() {
    return held.size();
  }

  private void release(K key) {
    R closing = null;
    synchronized (this) {
      Held<R> h = held.get(key);
      if (h != null && --h.users == 0) {
        held.remove(key);
        closing = h.resource;
      }
    }
    // outside the lock: closing may block (flushing a log, ending an exporter), and must not hold
    // up filters of a new configuration acquiring other resources meanwhile
    if (closing != null) {
      close.accept(closing);
    }
  }

  private static final class Held<R> {
    final R resource;
    int users;

    Held(R resource) {
      this.resource = resource;
    }
  }
}
