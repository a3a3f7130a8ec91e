package dev.gatewaywar.proxy;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A request as it goes to the upstream.
 *
 * @param method the HTTP method, unchanged
 * @param uri the full upstream URI, percent-encoding as the client sent it
 * @param headers end-to-end headers in order (name, value); no {@code Content-Length} or {@code
 *     Transfer-Encoding}: the body's framing is the client's business
 * @param body the client's body, or null when the request has none (or an empty one)
 * @param client the client's address ({@code ClientAddress}), whose requests in flight to one
 *     upstream are limited to {@code upstream.max_connections_per_client}
 * @param settings the route's connect and read timeouts, made by the client that sends the request
 *     ({@link UpstreamClient#settingsFor})
 */
public record UpstreamRequest(
    String method,
    URI uri,
    List<Map.Entry<String, String>> headers,
    RequestBody body,
    String client,
    UpstreamClient.RouteSettings settings) {}
