package dev.gatewaywar.proxy;

import java.io.IOException;

/** The client sent no byte of its request body for {@code timeouts.client_body}. */
public final class ClientBodyTimeoutException extends IOException {
  public ClientBodyTimeoutException(long millis) {
    super("no byte of the request body for " + millis + " ms");
  }
}
