package dev.gatewaywar;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.runtime.ObjectMethods;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.UnixDomainPrincipal;

/**
 * Lets go of the gateway's record classes held by the JDK's record-method bootstrap. A record's
 * first {@code equals}, {@code hashCode} or {@code toString} call links through {@link
 * ObjectMethods}, which adapts a few JDK-wide method handles to the record's types; on Java 17 to
 * 19 each of those handles keeps its last adaptation in a strong field ({@code
 * MethodHandle.asTypeCache}), so the last webapp to use a record method stays in memory, class
 * loader and all, after it is undeployed (found with a heap dump after undeploying the gateway from
 * Tomcat; Java 20 and later hold such entries softly). Linking the methods of a JDK record replaces
 * those entries with JDK types.
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
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Class<UnixDomainPrincipal> record = UnixDomainPrincipal.class;
      MethodHandle user =
          lookup.findVirtual(record, "user", MethodType.methodType(UserPrincipal.class));
      MethodHandle group =
          lookup.findVirtual(record, "group", MethodType.methodType(GroupPrincipal.class));
      for (String method : List.of("equals", "hashCode", "toString")) {
        ObjectMethods.bootstrap(
            MethodHandles.lookup(), method, MethodHandle.class, record, "user;group", user, group);
      }
    } catch (Throwable e) {
      // only memory is at stake, never correctness
      LOG.log(Level.FINE, "could not reset the JDK's record-method handles", e);
    }
  }
}
