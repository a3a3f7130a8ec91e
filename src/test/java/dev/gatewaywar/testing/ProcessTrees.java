package dev.gatewaywar.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Process trees of servers tests start (Tomcat, Keycloak): found and killed as one. */
public final class ProcessTrees {
  private ProcessTrees() {}

  /** {@code root} and everything it started, children first. */
  public static List<ProcessHandle> of(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    return all;
  }

  /** Kills {@code root}'s tree and waits (10 s at most per process) for each to be gone. */
  public static void kill(ProcessHandle root) {
    List<ProcessHandle> tree = of(root);
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // nothing more can be done from here; callers check ports or liveness if it matters
      }
    }
  }

  /**
   * Stops a server as an operator would (SIGTERM, which the start scripts relay: a graceful
   * shutdown) and checks that its whole tree and its HTTP port are gone; kills what is left before
   * failing.
   *
   * @param who what the server is, for the failure messages
   */
  public static void stopGracefully(Process process, Duration timeout, int httpPort, Object who)
      throws InterruptedException {
    List<ProcessHandle> tree = of(process.toHandle());
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill(process.toHandle());
      throw new AssertionError(who + " did not stop within " + timeout + " of SIGTERM");
    }
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        kill(process.toHandle());
        p.destroyForcibly();
        throw new AssertionError(who + " left " + p + " running", e);
      }
    }
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), httpPort), 1000);
      throw new AssertionError(who + " exited, yet its port still accepts connections");
    } catch (IOException expected) {
      // nothing listens any more
    }
  }
}
