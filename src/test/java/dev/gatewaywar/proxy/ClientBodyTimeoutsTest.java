package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientBodyTimeoutsTest {
  /** A container looks for threads the webapp left running right after it stopped the webapp. */
  @Test
  void theSweeperThreadHasEndedWhenCloseReturns() {
    for (int i = 0; i < 20; i++) {
      ClientBodyTimeouts timeouts = ClientBodyTimeouts.start();
      assertTrue(sweeperAlive(), "the sweeper runs while open");

      timeouts.close();

      assertFalse(sweeperAlive(), "the sweeper thread outlived close()");
    }
  }

  private static boolean sweeperAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("gateway-client-body-timeouts") && t.isAlive());
  }
}
