package dev.gatewaywar.proxy.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body on its way upstream. Remembers whether reading it failed, so a client
 * that vanished mid-upload is not reported as an upstream failure.
 */
final class ClientBody extends FilterInputStream {
  private volatile boolean failed;

  ClientBody(InputStream in) {
    super(in);
  }

  boolean failed() {
    return failed;
  }

  @Override
  public int read() throws IOException {
    try {
      return super.read();
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return in.read(b, off, len);
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  /** The client's stream belongs to the container; closing it here would be premature. */
  @Override
  public void close() {}
}
