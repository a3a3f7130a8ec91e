package dev.gatewaywar.requestid;

/**
 * The {@code request_id:} settings.
 *
 * @param header the header the id is read from, sent upstream in and returned in
 */
public record RequestIdConfig(String header) {
  public static final String DEFAULT_HEADER = "X-Request-Id";
  public static final RequestIdConfig DEFAULT = new RequestIdConfig(DEFAULT_HEADER);
}
