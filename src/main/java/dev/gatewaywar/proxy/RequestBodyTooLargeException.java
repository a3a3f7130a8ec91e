package dev.gatewaywar.proxy;

import java.io.IOException;

/** The client's request body grew past the limit a filter set ({@code body_limit.max}). */
public final class RequestBodyTooLargeException extends IOException {
  public RequestBodyTooLargeException(long max) {
    super("request body larger than " + max + " bytes");
  }
}
