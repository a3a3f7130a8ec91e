package dev.gatewaywar.observability.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/** A response that counts the body bytes written through it (headers not included). */
public final class CountingResponse extends HttpServletResponseWrapper {
  private CountingStream stream;

  public CountingResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      stream = new CountingStream(super.getOutputStream());
    }
    return stream;
  }

  /** Body bytes written so far. */
  public long bytes() {
    return stream == null ? 0 : stream.count;
  }

  private static final class CountingStream extends ServletOutputStream {
    private final ServletOutputStream out;
    private long count;

    CountingStream(ServletOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }
}
