package dev.gatewaywar.proxy.internal;

/**
 * The buffer a body is copied through: as small as a small body needs, and doubling, up to {@link
 * #MAX_SIZE}, each time a read fills it. Why grow: every chunk copied is a read and a write system
 * call, so a 1 GiB transfer through 16 KiB chunks makes 130,000 of them; at 256 KiB it makes 8,000.
 * Why not start big: most API bodies are a few hundred bytes, and a large buffer per request would
 * be garbage per request (a thread-local would not help: requests may run on virtual threads).
 */
public final class CopyBuffer {
  static final int INITIAL_SIZE = 16 * 1024;
  static final int MAX_SIZE = 256 * 1024;

  private byte[] bytes;

  /**
   * @param contentLength the body's length if known, else -1: a known short body gets a buffer of
   *     its size
   */
  public CopyBuffer(long contentLength) {
    this.bytes =
        new byte
            [contentLength > 0 && contentLength < INITIAL_SIZE
                ? (int) contentLength
                : INITIAL_SIZE];
  }

  /** The buffer to read the next chunk into. */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * Tells the buffer how many bytes the last read gave: a full buffer means the sender is ahead of
   * us, so the next read gets twice the room.
   */
  public void read(int n) {
    if (n == bytes.length && bytes.length < MAX_SIZE) {
      bytes = new byte[bytes.length * 2];
    }
  }
}
