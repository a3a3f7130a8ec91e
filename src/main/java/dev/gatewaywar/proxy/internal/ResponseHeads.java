package dev.gatewaywar.proxy.internal;

import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Checks an upstream's response head before any of it reaches the proxy: its framing and its total
 * size. HttpCore has parsed it within the header count and line length limits already; a failed
 * check fails the exchange like any protocol error (the client gets a 502, the connection is
 * dropped, never reused).
 *
 * <p>Framing follows RFC 9112 section 6.3: a {@code Transfer-Encoding} overrides any {@code
 * Content-Length} (HttpCore reads the body chunked then, and refuses any coding but a lone {@code
 * chunked}), and the length is never relayed with it. Without one, {@code Content-Length} must be a
 * single run of digits: no sign, no list, no second header, even of the same value (RFC 9110
 * section 8.6 lets a recipient reject those). HttpCore checks this only for responses with a body;
 * this also covers a HEAD's, a 204's or a 304's, whose length is relayed as declared.
 */
final class ResponseHeads implements HttpResponseInterceptor {
  /** More digits than this could overflow a long. */
  private static final int MAX_LENGTH_DIGITS = 18;

  /** Per header line: the ": " and CRLF around a name and value HttpCore has trimmed. */
  private static final int HEADER_LINE_OVERHEAD = 4;

  /** The status line's fixed part, {@code HTTP/1.1 200 } and CRLF, plus the blank line. */
  private static final int HEAD_OVERHEAD = 15 + 2;

  private final int maxHeadSize;

  ResponseHeads(int maxHeadSize) {
    this.maxHeadSize = maxHeadSize;
  }

  @Override
  public void process(HttpResponse response, EntityDetails entity, HttpContext context)
      throws ProtocolException {
    checkSize(response);
    contentLength(response, entity);
  }

  /**
   * The length of the body as the upstream framed it, for the client's response: -1 for a chunked
   * body, one ended by closing the connection, or an answer that declared none.
   *
   * @throws ProtocolException when the framing is invalid or ambiguous
   */
  static long contentLength(HttpResponse response, EntityDetails entity) throws ProtocolException {
    if (response.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
      return -1;
    }
    Header[] declared = response.getHeaders(HttpHeaders.CONTENT_LENGTH);
    if (declared.length == 0) {
      return entity == null ? -1 : entity.getContentLength();
    }
    if (declared.length > 1) {
      throw new ProtocolException("more than one Content-Length header");
    }
    String value = declared[0].getValue();
    if (value.isEmpty() || value.length() > MAX_LENGTH_DIGITS || !digitsOnly(value)) {
      throw new ProtocolException("invalid Content-Length: " + abbreviated(value));
    }
    return Long.parseLong(value);
  }

  private void checkSize(HttpResponse response) throws ProtocolException {
    String reason = response.getReasonPhrase();
    long size = HEAD_OVERHEAD + (reason == null ? 0 : reason.length());
    for (Header h : response.getHeaders()) {
      size += h.getName().length() + h.getValue().length() + HEADER_LINE_OVERHEAD;
    }
    if (size > maxHeadSize) {
      throw new ProtocolException(
          "response head of " + size + " bytes over the limit of " + maxHeadSize);
    }
  }

  private static boolean digitsOnly(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String abbreviated(String s) {
    return s.length() <= 32 ? "'" + s + "'" : "'" + s.substring(0, 32) + "...'";
  }
}
