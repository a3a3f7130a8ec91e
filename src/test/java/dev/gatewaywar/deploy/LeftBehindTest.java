package dev.gatewaywar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.deploy.LeftBehind.JavaThread;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeftBehindTest {
  /** Shaped like {@code jcmd <pid> Thread.print} on Java 17. */
  private static final String DUMP =
      """
      12345:
      2026-11-25 18:00:00
      Full thread dump OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1 mixed mode, sharing):

      "default task-7" #140 prio=5 os_prio=0 cpu=4.24ms elapsed=0.42s tid=0x0 nid=0x5964 waiting on condition  [0x0]
         java.lang.Thread.State: TIMED_WAITING (parking)
      \tat jdk.internal.misc.Unsafe.park(java.base@17.0.15/Native Method)
      \tat org.jboss.threads.EnhancedQueueExecutor$ThreadBody.run(EnhancedQueueExecutor.java:1589)

      "idle-connection-evictor-1" #142 daemon prio=5 os_prio=0 cpu=0.25ms elapsed=17.62s tid=0x0 nid=0x4bdc waiting on condition  [0x0]
         java.lang.Thread.State: TIMED_WAITING (sleeping)
      \tat java.lang.Thread.sleep(java.base@17.0.15/Native Method)
      \tat org.apache.hc.core5.util.TimeValue.sleep(TimeValue.java:383)

      "pool-13-thread-1" #131 daemon prio=5 os_prio=0 cpu=0.21ms elapsed=5.34s tid=0x0 nid=0x6ef9 waiting on condition  [0x0]
         java.lang.Thread.State: TIMED_WAITING (parking)
      \tat java.util.concurrent.ThreadPoolExecutor.getTask(java.base@17.0.15/ThreadPoolExecutor.java:1062)

      "Timer-0" #111 prio=5 os_prio=0 cpu=0.39ms elapsed=64.50s tid=0x0 nid=0x4263 in Object.wait()  [0x0]
         java.lang.Thread.State: WAITING (on object monitor)
      \tat java.util.TimerThread.run(java.base@17.0.15/Timer.java:516)

      "default task-2" #137 prio=5 os_prio=0 cpu=186.46ms elapsed=160.41s tid=0x0 nid=0x3095 runnable  [0x0]
         java.lang.Thread.State: RUNNABLE
      \tat java.net.SocketInputStream.read(java.base@17.0.15/SocketInputStream.java:182)
      \tat dev.gatewaywar.proxy.ProxyServlet.service(ProxyServlet.java:80)

      JNI global refs: 24, weak refs: 0
      """;

  @Test
  void threadDumpGivesEachThreadWithItsFrames() {
    List<JavaThread> threads = LeftBehind.threads(DUMP);
    assertEquals(
        List.of(
            "default task-7",
            "idle-connection-evictor-1",
            "pool-13-thread-1",
            "Timer-0",
            "default task-2"),
        threads.stream().map(JavaThread::name).toList());
    assertEquals(
        List.of("java.lang.Thread.sleep", "org.apache.hc.core5.util.TimeValue.sleep"),
        threads.get(1).frames());
  }

  @Test
  void newThreadOutsideWildFlysPoolsAndThreadInGatewayCodeAreSuspect() {
    Set<String> baseline = Set.of("pool-13-thread-1", "Timer-0", "default task-2");
    assertEquals(
        List.of("idle-connection-evictor-1", "default task-2"),
        LeftBehind.suspectThreads(baseline, LeftBehind.threads(DUMP)).stream()
            .map(JavaThread::name)
            .toList());
  }

  @Test
  void classLoaderOfTheDeploymentIsFoundByItsModuleName() {
    String loaders =
        """
                          +-- "deployment.gateway.war", org.jboss.modules.ModuleClassLoader
                          +-- "deployment.ROOT.war", org.jboss.modules.ModuleClassLoader
                          +-- "org.jboss.as.deployment-repository@31.0.3.Final", org.jboss.modules.ModuleClassLoader
        """;
    assertEquals(
        List.of("+-- \"deployment.ROOT.war\", org.jboss.modules.ModuleClassLoader"),
        LeftBehind.deploymentLoaders(loaders, "ROOT.war"));
    assertEquals(List.of(), LeftBehind.deploymentLoaders(loaders, "leaky.war"));
  }
}
