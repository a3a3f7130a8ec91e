package dev.gatewaywar.headers;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code headers:} settings.
 *
 * @param request changes to what the upstream receives
 * @param response changes to what the client receives
 */
public record HeadersConfig(HeaderEdits request, HeaderEdits response) {
  public static final HeadersConfig DEFAULT = new HeadersConfig(HeaderEdits.NONE, HeaderEdits.NONE);

  /** Every template of both directions. */
  List<HeaderTemplate> templates() {
    List<HeaderTemplate> all = new ArrayList<>(request.templates());
    all.addAll(response.templates());
    return all;
  }
}
