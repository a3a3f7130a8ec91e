package dev.gatewaywar.operations.internal;

import static dev.gatewaywar.operations.internal.Html.escape;

import dev.gatewaywar.operations.ConfigStatus;
import dev.gatewaywar.operations.GatewayStatus;
import dev.gatewaywar.operations.ReloadResult;
import dev.gatewaywar.operations.RouteStatus;
import dev.gatewaywar.operations.TargetStatus;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * {@link GatewayStatus} as the admin page: rendered on the server, styled inline, no script. Every
 * value from the configuration or the status is escaped, attributes included.
 */
public final class StatusHtml {
  private static final String STYLE =
      """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;\
      background:#fff}
      h1{font-size:20px;margin:0 0 12px}
      h2{font-size:16px;margin:24px 0 8px}
      dl.config{display:grid;grid-template-columns:max-content auto;gap:4px 16px;margin:0}
      dl.config dt{color:#59636e}
      dl.config dd{margin:0;word-break:break-all}
      code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
      .ok{color:#1a7f37}.failed{color:#cf222e;white-space:pre-wrap}
      table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d1d9e0;vertical-align:top}
      th{background:#f6f8fa;font-weight:600}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      ol.mw{margin:0;padding-left:18px}
      ul.targets{list-style:none;margin:0;padding:0}
      li.target{white-space:nowrap}
      .dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
      .up .dot{background:#1a7f37}.down .dot,.open .dot{background:#cf222e}\
      .half-open .dot{background:#d4a72c}
      .state{font-size:12px;margin-left:6px;color:#59636e}
      .down .state,.open .state{color:#cf222e;font-weight:600}
      .half-open .state{color:#9a6700;font-weight:600}
      p.note{color:#59636e;font-size:12px}
      """;

  private StatusHtml() {}

  /**
   * @param apiUrl where the same status is as JSON (the page links to it)
   */
  public static String render(GatewayStatus status, String apiUrl) {
    ConfigStatus config = status.config();
    List<RouteStatus> routes = status.routes();
    StringBuilder h = new StringBuilder(4096);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>gateway.war status</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>gateway.war</h1>\n");
    config(h, config);
    h.append("<h2>Routes</h2>\n<table id=\"routes\"><thead><tr><th>Pattern</th><th>Methods</th>")
        .append("<th>Middleware</th><th>Targets</th><th class=\"num\">Requests</th>")
        .append("<th class=\"num\">5xx</th><th class=\"num\">In flight</th></tr></thead><tbody>\n");
    for (RouteStatus r : routes) {
      route(h, r);
    }
    h.append("</tbody></table>\n<p class=\"note\">Counts come from each route's <code>metrics")
        .append("</code> middleware (\u2014 on a route without it). The same as JSON: <a href=\"")
        .append(escape(apiUrl))
        .append("\">")
        .append(escape(apiUrl))
        .append("</a></p>\n</body></html>\n");
    return h.toString();
  }

  private static void config(StringBuilder h, ConfigStatus c) {
    h.append("<dl class=\"config\">");
    item(h, "Config file", "<code id=\"config-file\">" + escape(c.file()) + "</code>");
    item(h, "SHA-256", "<code id=\"config-digest\">" + escape(c.digest()) + "</code>");
    item(
        h,
        "Loaded at",
        "<span id=\"loaded-at\">"
            + escape(c.loadedAt().truncatedTo(ChronoUnit.SECONDS).toString())
            + "</span>");
    item(h, "Routes", "<span id=\"route-count\">" + c.routeCount() + "</span>");
    Optional<ReloadResult> last = c.lastReload();
    String reload;
    if (last.isEmpty()) {
      reload = "<span id=\"last-reload\">none since start</span>";
    } else if (last.get().ok()) {
      reload =
          "<span id=\"last-reload\" class=\"ok\">ok at "
              + escape(last.get().at().truncatedTo(ChronoUnit.SECONDS).toString())
              + "</span>";
    } else {
      reload =
          "<span id=\"last-reload\" class=\"failed\">failed at "
              + escape(last.get().at().truncatedTo(ChronoUnit.SECONDS).toString())
              + ", still serving the configuration above:\n"
              + escape(last.get().error().orElse(""))
              + "</span>";
    }
    item(h, "Last reload", reload);
    h.append("</dl>\n");
  }

  private static void item(StringBuilder h, String term, String html) {
    h.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>");
  }

  private static void route(StringBuilder h, RouteStatus r) {
    h.append("<tr class=\"route\" data-pattern=\"")
        .append(escape(r.pattern()))
        .append("\"><td><code>")
        .append(escape(r.pattern()))
        .append("</code></td><td>")
        .append(escape(r.methodList()))
        .append("</td><td>");
    if (r.middleware().isEmpty()) {
      h.append("\u2014");
    } else {
      h.append("<ol class=\"mw\">");
      for (String m : r.middleware()) {
        h.append("<li>").append(escape(m)).append("</li>");
      }
      h.append("</ol>");
    }
    h.append("</td><td><ul class=\"targets\">");
    for (TargetStatus t : r.targets()) {
      target(h, t);
    }
    h.append("</ul></td>");
    Optional<RouteStatus.Counts> counts = r.counts();
    number(h, counts.map(RouteStatus.Counts::requests));
    number(h, counts.map(RouteStatus.Counts::serverErrors));
    number(h, counts.map(RouteStatus.Counts::inFlight));
    h.append("</tr>\n");
  }

  private static void target(StringBuilder h, TargetStatus t) {
    String state = t.state();
    h.append("<li class=\"target ")
        .append(state)
        .append("\" data-state=\"")
        .append(state)
        .append("\" data-url=\"")
        .append(escape(t.url()))
        .append("\"><span class=\"dot\"></span><code>")
        .append(escape(t.url()))
        .append("</code><span class=\"state\">")
        .append(state)
        .append(t.healthChecked() ? "" : " (not checked)")
        .append("</span></li>");
  }

  private static void number(StringBuilder h, Optional<Long> value) {
    h.append("<td class=\"num\">")
        .append(value.map(String::valueOf).orElse("\u2014"))
        .append("</td>");
  }
}
