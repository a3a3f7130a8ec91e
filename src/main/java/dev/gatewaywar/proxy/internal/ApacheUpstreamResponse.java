package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.proxy.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * An upstream response held by HttpClient. Closing it reads what is left of the body (nothing, when
 * the proxy copied it all) and returns the connection to the pool; aborting it drops the connection
 * instead.
 */
final class ApacheUpstreamResponse implements UpstreamResponse {
  private final HttpUriRequestBase proxyRequest;
  private final CloseableHttpResponse response;
  private final InputStream body;
  private boolean aborted;

  ApacheUpstreamResponse(HttpUriRequestBase proxyRequest, CloseableHttpResponse response)
      throws IOException {
    this.proxyRequest = proxyRequest;
    this.response = response;
    HttpEntity entity = response.getEntity();
    this.body = entity == null ? InputStream.nullInputStream() : entity.getContent();
  }

  @Override
  public int status() {
    return response.getCode();
  }

  @Override
  public List<Map.Entry<String, String>> headers() {
    Header[] headers = response.getHeaders();
    // a view, not a copy: the proxy walks it once
    return new AbstractList<>() {
      @Override
      public Map.Entry<String, String> get(int index) {
        Header h = headers[index];
        return Map.entry(h.getName(), h.getValue());
      }

      @Override
      public int size() {
        return headers.length;
      }
    };
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public void abort() {
    aborted = true;
    // cancelling shuts the connection down; closing the response then discards it from the pool
    proxyRequest.cancel();
    try {
      response.close();
    } catch (IOException e) {
      // the connection is being discarded anyway
    }
  }

  @Override
  public void close() throws IOException {
    if (aborted) {
      return;
    }
    try {
      // reads the rest of the body (if any) so the connection can be reused, then releases it
      body.close();
    } finally {
      response.close();
    }
  }
}
