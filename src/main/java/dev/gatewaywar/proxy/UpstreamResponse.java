package dev.gatewaywar.proxy;

import java.io.Closeable;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** An upstream's answer, with its body still on the wire. Close it, or abort it. */
public interface UpstreamResponse extends Closeable {

  int status();

  /** Headers as received, in order: one (name, value) per header line. */
  List<Map.Entry<String, String>> headers();

  /** The body as it arrives; empty for responses without one. */
  InputStream body();

  /**
   * Drops the upstream connection instead of reading the rest of the body: for when the client went
   * away, so a 1 GiB download is not read to its end for nobody.
   */
  void abort();
}
