package dev.gatewaywar.operations.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import dev.gatewaywar.operations.RouteStatus;
import dev.gatewaywar.operations.TargetStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** {@link GatewayStatus} as the admin page's JSON view ({@code admin.path + "/api"}). */
public final class StatusJson {
  /**
   * No thread-local buffer recycling (Jackson's default): it would leave a Jackson buffer in a
   * ThreadLocal of each server thread, keeping an undeployed webapp's class loader alive.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build();

  private StatusJson() {}

  public static String render(GatewayStatus status) {
    ConfigStatus config = status.config();
    List<RouteStatus> routes = status.routes();
    StringWriter out = new StringWriter(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      config(g, config);
      g.writeArrayFieldStart("routes");
      for (RouteStatus r : routes) {
        route(g, r);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string", e);
    }
    return out.toString();
  }

  private static void config(JsonGenerator g, ConfigStatus c) throws IOException {
    g.writeObjectFieldStart("config");
    g.writeStringField("file", c.file());
    g.writeStringField("digest", c.digest());
    g.writeStringField("loaded_at", c.loadedAt().toString());
    g.writeNumberField("route_count", c.routeCount());
    Optional<ReloadResult> last = c.lastReload();
    if (last.isPresent()) {
      g.writeObjectFieldStart("last_reload");
      g.writeStringField("at", last.get().at().toString());
      g.writeBooleanField("ok", last.get().ok());
      g.writeStringField("error", last.get().error().orElse(null));
      g.writeEndObject();
    } else {
      g.writeNullField("last_reload");
    }
    g.writeEndObject();
  }

  private static void route(JsonGenerator g, RouteStatus r) throws IOException {
    g.writeStartObject();
    g.writeStringField("pattern", r.pattern());
    g.writeArrayFieldStart("methods");
    for (String m : r.methods().isEmpty() ? List.of("*") : r.methods()) {
      g.writeString(m);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("middleware");
    for (String m : r.middleware()) {
      g.writeString(m);
    }
    g.writeEndArray();
    if (r.counts().isPresent()) {
      RouteStatus.Counts c = r.counts().get();
      g.writeNumberField("requests", c.requests());
      g.writeNumberField("server_errors", c.serverErrors());
      g.writeNumberField("in_flight", c.inFlight());
    } else {
      g.writeNullField("requests");
      g.writeNullField("server_errors");
      g.writeNullField("in_flight");
    }
    g.writeArrayFieldStart("targets");
    for (TargetStatus t : r.targets()) {
      g.writeStartObject();
      g.writeStringField("url", t.url());
      g.writeStringField("state", t.state());
      g.writeBooleanField("healthy", t.healthy());
      g.writeBooleanField("health_checked", t.healthChecked());
      g.writeStringField("circuit", t.circuit().label());
      if (t.inFlight().isPresent()) {
        g.writeNumberField("in_flight", t.inFlight().getAsInt());
      } else {
        g.writeNullField("in_flight");
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
