package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CopyBufferTest {
  @Test
  void aShortBodyOfKnownLengthGetsABufferOfItsSize() {
    assertEquals(300, new CopyBuffer(300).bytes().length);
  }

  @Test
  void aBodyOfUnknownLengthStartsAtTheInitialSize() {
    assertEquals(CopyBuffer.INITIAL_SIZE, new CopyBuffer(-1).bytes().length);
  }

  @Test
  void fullReadsDoubleTheBufferUpToItsMaximum() {
    CopyBuffer buffer = new CopyBuffer(-1);
    for (int i = 0; i < 20; i++) {
      buffer.read(buffer.bytes().length);
    }
    assertEquals(CopyBuffer.MAX_SIZE, buffer.bytes().length);
  }

  @Test
  void aPartialReadKeepsTheBuffer() {
    CopyBuffer buffer = new CopyBuffer(-1);
    buffer.read(CopyBuffer.INITIAL_SIZE - 1);
    assertEquals(CopyBuffer.INITIAL_SIZE, buffer.bytes().length);
  }

  @Test
  void theClientBodyEntityWritesExactlyTheAnnouncedLength() throws IOException {
    byte[] body = new byte[3 * CopyBuffer.MAX_SIZE + 17];
    new Random(7).nextBytes(body);
    byte[] withTrailingBytes = new byte[body.length + 100];
    System.arraycopy(body, 0, withTrailingBytes, 0, body.length);
    ClientBodyEntity entity =
        new ClientBodyEntity(
            new ClientBody(new ByteArrayInputStream(withTrailingBytes)), body.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    entity.writeTo(out);
    assertArrayEquals(body, out.toByteArray());
  }

  @Test
  void theClientBodyEntityWritesABodyOfUnknownLengthToItsEnd() throws IOException {
    byte[] body = new byte[CopyBuffer.MAX_SIZE + 5];
    new Random(8).nextBytes(body);
    ClientBodyEntity entity =
        new ClientBodyEntity(new ClientBody(new ByteArrayInputStream(body)), -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    entity.writeTo(out);
    assertArrayEquals(body, out.toByteArray());
    assertEquals(true, entity.isChunked());
  }
}
