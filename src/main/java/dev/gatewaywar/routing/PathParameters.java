package dev.gatewaywar.routing;

/**
 * What the gateway does with path parameters ({@code ;name=value} in a segment, RFC 3986 section
 * 3.3). Servlet containers and Spring cut them off before matching ({@code /admin;x/y} is served as
 * {@code /admin/y}) while other servers keep them as part of the segment, so a router and an
 * upstream that read the same path two ways could let a request past the route meant for it.
 */
public enum PathParameters {
  /** A path with a {@code ;} anywhere is refused with 400, as Spring's StrictHttpFirewall does. */
  REJECT,
  /**
   * Parameters are cut from every segment before routing, and the upstream gets the path without
   * them: the path it receives is the path that was routed.
   */
  STRIP;

  public static final PathParameters DEFAULT = REJECT;
}
