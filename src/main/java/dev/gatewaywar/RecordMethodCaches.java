package dev.gatewaywar;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.runtime.ObjectMethods;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets go of the gateway's record classes held by the JDK's record-method bootstrap. A record's
 * first {@code equals}, {@code hashCode} or {@code toString} call links through {@link
 * ObjectMethods}, which adapts a few JDK-wide method handles to the record's component types; on
 * Java 17 to 19 each of those handles keeps its last adaptation in a strong field ({@code
 * MethodHandle.asTypeCache}), so the last webapp to link a record method stays in memory, class
 * loader and all, after it is undeployed (found with heap dumps after undeploying the gateway from
 * Tomcat and from WildFly: {@code ObjectMethods.OBJECTS_HASHCODE} held a gateway enum's class).
 * Java 20 and later hold such entries softly.
 *
 * <p>Linking the three methods again for JDK component types replaces those entries. The types are
 * all in {@code java.base}, which every server lets a webapp see (WildFly does not show a
 * deployment the {@code jdk.net} module), and cover the kinds of component a record has: an enum,
 * an interface, a final class.
 */
final class RecordMethodCaches {
  private static final Logger LOG = Logger.getLogger(RecordMethodCaches.class.getName());

  private RecordMethodCaches() {}

  /** Called when the webapp stops, after its last record method ran. */
  static void release() {
    if (Runtime.version().feature() >= 20) {
      return;
    }
    try {
      MethodHandle[] getters = {
        component(Duration.class, DayOfWeek.class, DayOfWeek.MONDAY),
        component(Duration.class, CharSequence.class, ""),
        component(Duration.class, Instant.class, Instant.EPOCH)
      };
      for (String method : List.of("equals", "hashCode", "toString")) {
        ObjectMethods.bootstrap(
            MethodHandles.lookup(), method, MethodHandle.class, Duration.class, "a;b;c", getters);
      }
    } catch (Throwable e) {
      // only memory is at stake, never correctness
      LOG.log(Level.WARNING, "could not reset the JDK's record-method handles", e);
    }
  }

  /** A getter of {@code owner} returning {@code value} of {@code type}. */
  private static <T> MethodHandle component(Class<?> owner, Class<T> type, T value) {
    return MethodHandles.dropArguments(MethodHandles.constant(type, value), 0, owner);
  }
}
