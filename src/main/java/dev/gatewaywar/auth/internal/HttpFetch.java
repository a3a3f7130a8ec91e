package dev.gatewaywar.auth.internal;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.jose4j.http.Get;
import org.jose4j.http.SimpleResponse;

/**
 * GETs discovery documents and JWKS with jose4j's client: one attempt (jose4j retries three times
 * with growing waits by default, which would hold requests for many seconds), bounded connect and
 * read timeouts, and a bounded body.
 */
final class HttpFetch {
  static final int MAX_BODY_BYTES = 512 * 1024;

  private final Get get = new Get();

  HttpFetch(Duration timeout) {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    get.setConnectTimeout(millis);
    get.setReadTimeout(millis);
    get.setRetries(0);
    get.setResponseBodySizeLimit(MAX_BODY_BYTES);
  }

  /** The body of a 200 answer to {@code GET uri}; anything else is an IOException. */
  String body(URI uri) throws IOException {
    SimpleResponse r = get.get(uri.toString());
    if (r.getStatusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + r.getStatusCode());
    }
    return r.getBody();
  }
}
