package dev.gatewaywar.api;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * The client's response with some header names reserved by a filter: the filter writes its values
 * on the response it was given, then passes this wrapper down the chain, and every later writer
 * (filters after it, the proxy copying the upstream's head on its own threads) has its values for a
 * reserved name dropped. This is how a filter replaces or removes a header of a response that is
 * written after the filter has returned, without holding the head back. Names are matched without
 * regard to case.
 */
public final class ReservedResponseHeaders extends HttpServletResponseWrapper {
  /** An array scanned with {@code equalsIgnoreCase}: checked for every header of every response. */
  private final String[] reserved;

  private ReservedResponseHeaders(HttpServletResponse response, String[] reserved) {
    super(response);
    this.reserved = reserved;
  }

  /**
   * {@code response} as the rest of the chain should see it: {@code names} are no longer written.
   * Returns {@code response} itself when there are none.
   */
  public static HttpServletResponse reserve(HttpServletResponse response, String... names) {
    return names.length == 0 ? response : new ReservedResponseHeaders(response, names.clone());
  }

  private boolean isReserved(String name) {
    for (String r : reserved) {
      if (r.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void setHeader(String name, String value) {
    if (!isReserved(name)) {
      super.setHeader(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (!isReserved(name)) {
      super.addHeader(name, value);
    }
  }

  @Override
  public void setIntHeader(String name, int value) {
    if (!isReserved(name)) {
      super.setIntHeader(name, value);
    }
  }

  @Override
  public void addIntHeader(String name, int value) {
    if (!isReserved(name)) {
      super.addIntHeader(name, value);
    }
  }

  @Override
  public void setDateHeader(String name, long date) {
    if (!isReserved(name)) {
      super.setDateHeader(name, date);
    }
  }

  @Override
  public void addDateHeader(String name, long date) {
    if (!isReserved(name)) {
      super.addDateHeader(name, date);
    }
  }
}
