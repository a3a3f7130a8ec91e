package dev.gatewaywar.deploy;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * The webapp of a small test WAR that does what the gateway must never do: it starts a thread and
 * leaves it running when undeployed (pinning its class loader), until the JVM-wide system property
 * {@value #STOP_PROPERTY} is set. WildFlyDistributionIT deploys it to show its leak check fails
 * when something is left behind, and passes once the thread is gone.
 */
@WebListener
public class LeakyListener implements ServletContextListener {
  static final String THREAD_NAME = "leaky-webapp-thread";
  static final String STOP_PROPERTY = "gateway.test.leak.stop";

  @Override
  public void contextInitialized(ServletContextEvent event) {
    Thread leak =
        new Thread(
            () -> {
              while (!Boolean.getBoolean(STOP_PROPERTY)) {
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            THREAD_NAME);
    leak.setDaemon(true);
    leak.start();
  }
}
