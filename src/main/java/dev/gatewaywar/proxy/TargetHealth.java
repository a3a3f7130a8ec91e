package dev.gatewaywar.proxy;

import dev.gatewaywar.config.UpstreamSet.HealthCheck;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * What the health checks say of one target of one route: kept by {@link TargetMonitor} for as long
 * as a configuration uses it, so a reload that keeps the route and the target keeps its health. A
 * target starts healthy; {@code unhealthy_after} failed checks in a row take it out, {@code
 * healthy_after} good ones bring it back. Each change is logged once.
 */
final class TargetHealth {
  private static final Logger LOG = Logger.getLogger(TargetHealth.class.getName());

  private final String route;
  private final String target;
  private volatile boolean up = true;
  private int failedInRow;
  private int goodInRow;

  // guarded by the monitor's lock
  int users;
  volatile HealthCheck check;
  volatile UpstreamClient.RouteSettings settings;
  ScheduledFuture<?> task;
  boolean checking;

  TargetHealth(String route, String target) {
    this.route = route;
    this.target = target;
  }

  boolean up() {
    return up;
  }

  /** One check's result, judged with the current {@code health_check} settings. */
  synchronized void record(boolean good, HealthCheck settings, String why) {
    if (good) {
      failedInRow = 0;
      goodInRow++;
      if (!up && goodInRow >= settings.healthyAfter()) {
        up = true;
        LOG.info(
            () ->
                "upstream "
                    + target
                    + " of route "
                    + route
                    + " is healthy again: back in rotation");
      }
    } else {
      goodInRow = 0;
      failedInRow++;
      if (up && failedInRow >= settings.unhealthyAfter()) {
        up = false;
        LOG.warning(
            () ->
                "upstream "
                    + target
                    + " of route "
                    + route
                    + " failed "
                    + failedInRow
                    + " health checks in a row ("
                    + why
                    + "): out of rotation");
      }
    }
  }
}
