package dev.gatewaywar.proxy;

import java.util.List;
import java.util.Map;

/** An upstream's answer as far as it has arrived: its head, and control of the body's flow. */
public interface UpstreamResponse {

  int status();

  /** Headers as received, in order: one (name, value) per header line. */
  List<Map.Entry<String, String>> headers();

  /**
   * The body's length as the upstream framed it, to be declared to the client: -1 when it is sent
   * chunked, ends with the connection, or was not declared. Never the {@code Content-Length} of an
   * answer that also has a {@code Transfer-Encoding} (RFC 9112 section 6.3).
   */
  long contentLength();

  /** Continues a body paused by {@link UpstreamHandler#onBody} returning false; any thread. */
  void resume();

  /**
   * Drops the upstream connection instead of reading the rest of the body: for when the client went
   * away, so a 1 GiB download is not read to its end for nobody. No further handler calls follow.
   */
  void abort();
}
