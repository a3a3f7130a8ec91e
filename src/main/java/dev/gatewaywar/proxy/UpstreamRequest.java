package dev.gatewaywar.proxy;

import dev.gatewaywar.config.TimeoutsConfig;
import java.io.InputStream;
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
 * @param body the client's body stream, or null when the request has none
 * @param contentLength the body's length, or -1 when unknown (sent chunked)
 * @param timeouts connect and read timeouts
 */
public record UpstreamRequest(
    String method,
    URI uri,
    List<Map.Entry<String, String>> headers,
    InputStream body,
    long contentLength,
    TimeoutsConfig timeouts) {}
