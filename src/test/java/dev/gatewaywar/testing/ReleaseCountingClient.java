package dev.gatewaywar.testing;

import dev.gatewaywar.config.RouteTls;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.proxy.UpstreamClient;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamRequest;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream client whose route settings count how often they are given back ({@link
 * UpstreamClient.RouteSettings#release}), and which can refuse to make settings after a number of
 * them (a route whose TLS cannot be set up). Closing it leaves the real client open: the test
 * closes that.
 */
public final class ReleaseCountingClient implements UpstreamClient {
  private final UpstreamClient delegate;
  private final AtomicInteger made = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private volatile int refuseAfter = Integer.MAX_VALUE;

  public ReleaseCountingClient(UpstreamClient delegate) {
    this.delegate = delegate;
  }

  private record Counted(RouteSettings inner, AtomicInteger released) implements RouteSettings {
    @Override
    public void release() {
      released.incrementAndGet();
      inner.release();
    }
  }

  /** Settings made so far. */
  public int made() {
    return made.get();
  }

  /** Releases so far (each call counts, also a second one of the same settings). */
  public int released() {
    return released.get();
  }

  /** From now on, {@code settingsFor} throws once {@code n} settings have been made. */
  public void refuseAfter(int n) {
    refuseAfter = n;
  }

  @Override
  public RouteSettings settingsFor(TimeoutsConfig timeouts, Optional<RouteTls> tls) {
    if (made.get() >= refuseAfter) {
      throw new IllegalArgumentException("cannot build the route's TLS context (test)");
    }
    made.incrementAndGet();
    return new Counted(delegate.settingsFor(timeouts, tls), released);
  }

  @Override
  public void send(UpstreamRequest r, UpstreamHandler handler) {
    delegate.send(
        new UpstreamRequest(
            r.method(),
            r.uri(),
            r.headers(),
            r.body(),
            r.client(),
            ((Counted) r.settings()).inner()),
        handler);
  }

  @Override
  public void close() {
    // the real client is the test's to close
  }
}
