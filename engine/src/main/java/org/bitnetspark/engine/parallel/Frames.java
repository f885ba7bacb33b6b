package org.bitnetspark.engine.parallel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float arrays to frame bytes and back (little endian, the layout the arrays have in memory on x86/ARM). */
final class Frames {
  private Frames() {}

  static byte[] floats(float[] values, int offset, int length) {
    byte[] bytes = new byte[4 * length];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, offset, length);
    return bytes;
  }

  /** Decodes a frame of floats into {@code dst} at {@code offset}; returns how many there were. */
  static int readFloats(byte[] frame, float[] dst, int offset) {
    int n = frame.length / 4;
    ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, offset, n);
    return n;
  }

  static float[] toFloats(byte[] frame) {
    float[] out = new float[frame.length / 4];
    readFloats(frame, out, 0);
    return out;
  }
}
