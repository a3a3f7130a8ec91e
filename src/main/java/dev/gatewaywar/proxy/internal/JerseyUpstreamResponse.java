package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.proxy.UpstreamResponse;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** An upstream response held by Jersey; closing it returns the connection to the pool. */
final class JerseyUpstreamResponse implements UpstreamResponse {
  private final Response response;
  private final JerseyUpstreamClient.Exchange exchange;
  private final InputStream body;

  JerseyUpstreamResponse(Response response, JerseyUpstreamClient.Exchange exchange) {
    this.response = response;
    this.exchange = exchange;
    this.body = exchange.body == null ? InputStream.nullInputStream() : exchange.body;
  }

  @Override
  public int status() {
    return response.getStatus();
  }

  @Override
  public Map<String, List<String>> headers() {
    return response.getStringHeaders();
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public void abort() {
    exchange.abort = true;
    response.close();
  }

  @Override
  public void close() {
    response.close();
  }
}
