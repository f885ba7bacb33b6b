package org.bitnetspark.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A model held in memory: tests, and models that arrived as bytes (a Spark broadcast). */
public final class ByteArrayModelSource implements ModelSource {
  private final String uri;
  private final byte[] bytes;

  public ByteArrayModelSource(String uri, byte[] bytes) {
    this.uri = uri;
    this.bytes = bytes;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public long size() {
    return bytes.length;
  }

  @Override
  public ByteBuffer slice(long offset, int length) {
    if (offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new IllegalArgumentException(
          "slice [" + offset + ", " + (offset + length) + ") is outside " + uri + " (" + bytes.length + " bytes)");
    }
    return ByteBuffer.wrap(bytes, (int) offset, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() {}
}
