package dev.gatewaywar.testing;

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
}
