package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class HalfDecoderTest {

  /** Every half (NaNs by bits), at an odd offset and length so the scalar tail runs too. */
  @Test
  void vectorConversionEqualsTheTableForEveryHalf() {
    assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    HalfDecoder vector = Kernels.create(Kernels.Choice.VECTOR).halfDecoder();
    int n = 1 << 16;
    ByteBuffer b = ByteBuffer.allocate(2 * n + 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int h = 0; h < n; h++) b.putShort(2 + 2 * h, (short) h);
    float[] expected = new float[n + 3];
    float[] actual = new float[n + 3];
    HalfDecoder.SCALAR.decode(b, 2, expected, 3, n - 1);
    vector.decode(b, 2, actual, 3, n - 1);
    for (int i = 0; i < n + 3; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "half 0x" + Integer.toHexString(i - 3));
    }
  }
}
