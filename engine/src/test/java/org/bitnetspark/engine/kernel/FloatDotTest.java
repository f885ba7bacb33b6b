package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.bitnetspark.engine.quant.Float16;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatDot}'s batch forms: {@link FloatDot#vectorTimesMatrix} and {@link FloatDot#vectorTimesHalfMatrix}
 * (attention's query-key scores and its weighted sum of values) and {@link FloatDot#dot2Rows} (a batch's output head).
 */
class FloatDotTest {

  /** Small enough to sum by hand; the values are chosen so every product and sum is exact in float. */
  @Test
  void scalarSumsTheRowsByHand() {
    float[] a = {9, 2, -1, 0.5f}; // a[0] is before the offset
    float[] m = {
        7, 7, 7, 7, // before the offset
        1, 2, 3, 99, // row 0 (the 4th column is past cols)
        -4, 0.25f, 8, 99,
        10, 1, -2, 99};
    float[] out = {5, 5, 5, 5, 5};
    FloatDot.SCALAR.vectorTimesMatrix(a, 1, 3, m, 4, 4, 3, out, 1);
    // column c: 2·m[0][c] - 1·m[1][c] + 0.5·m[2][c]
    assertArrayEquals(new float[] {5, 2 + 4 + 5, 4 - 0.25f + 0.5f, 6 - 8 - 1, 5}, out);
  }

  /**
   * The vector kernel gives the scalar reference's bits: each output is the same ordered sum of rounded
   * products, so no tolerance applies. Column counts around every vector width and the four-vector
   * block, strides wider than the columns (transposed keys), offsets, and signed zeros.
   */
  @Test
  void vectorEqualsScalarBitForBit() {
    assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    FloatDot vector = Kernels.create(Kernels.Choice.VECTOR).floatDot();
    SplittableRandom r = new SplittableRandom(17);
    for (int rows : new int[] {1, 2, 5, 96, 129}) {
      for (int cols : new int[] {1, 7, 8, 9, 31, 32, 33, 40, 64, 96, 97, 128}) {
        int stride = cols + r.nextInt(3) * 5;
        float[] a = new float[rows + 2];
        float[] m = new float[3 + rows * stride];
        for (int i = 0; i < a.length; i++) a[i] = r.nextInt(10) == 0 ? -0f : (float) r.nextGaussian();
        for (int i = 0; i < m.length; i++) m[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
        float[] want = new float[cols + 4];
        float[] got = new float[cols + 4];
        FloatDot.SCALAR.vectorTimesMatrix(a, 2, rows, m, 3, stride, cols, want, 4 - 1);
        vector.vectorTimesMatrix(a, 2, rows, m, 3, stride, cols, got, 4 - 1);
        for (int c = 0; c < want.length; c++) {
          assertEquals(Float.floatToRawIntBits(want[c]), Float.floatToRawIntBits(got[c]),
              "rows " + rows + ", cols " + cols + ", stride " + stride + ", column " + c);
        }
      }
    }
  }

  /**
   * The half-matrix product is the float product of the decoded matrix, bit for bit: the scalar form decodes
   * each half exactly, and the vector form (scaled bits times {@code a·2^112}) must give the same rounded
   * products. Halves over the whole finite range, subnormals and signed zeros included, and {@code a} up to
   * the largest half (the F16 cache rounds the query and the weights to halves); columns around the 16- and
   * 32-column chunks and the scalar tail.
   */
  @Test
  void halfMatrixProductEqualsTheDecodedProductBitForBit() {
    java.util.List<FloatDot> kernels = new java.util.ArrayList<>(java.util.List.of(FloatDot.SCALAR));
    if (Kernels.vectorAvailable()) kernels.add(Kernels.create(Kernels.Choice.VECTOR).floatDot());
    SplittableRandom r = new SplittableRandom(29);
    for (FloatDot dot : kernels) {
      for (int rows : new int[] {1, 3, 96, 128}) {
        for (int cols : new int[] {1, 15, 16, 17, 31, 32, 33, 48, 63, 64, 96, 128, 513}) {
          int stride = cols + r.nextInt(3) * 7;
          float[] a = new float[rows + 1];
          for (int i = 0; i < a.length; i++) {
            int kind = r.nextInt(20);
            a[i] = kind == 0 ? -0f : kind == 1 ? 65504f : kind == 2 ? -65504f : Float16.round((float) r.nextGaussian());
          }
          short[] m = new short[2 + rows * stride];
          for (int i = 0; i < m.length; i++) {
            short h = (short) r.nextInt(1 << 16);
            m[i] = (h & 0x7c00) == 0x7c00 ? (short) (h & 0x83ff) : h; // infinities and NaNs become subnormals
          }
          float[] decoded = new float[m.length];
          for (int i = 0; i < m.length; i++) decoded[i] = Float16.toFloat(m[i]);
          float[] want = new float[cols + 3];
          float[] got = new float[cols + 3];
          FloatDot.SCALAR.vectorTimesMatrix(a, 1, rows, decoded, 2, stride, cols, want, 2);
          dot.vectorTimesHalfMatrix(a, 1, rows, m, 2, stride, cols, got, 2);
          for (int c = 0; c < want.length; c++) {
            assertEquals(Float.floatToRawIntBits(want[c]), Float.floatToRawIntBits(got[c]),
                dot + ": rows " + rows + ", cols " + cols + ", stride " + stride + ", column " + c);
          }
        }
      }
    }
  }

  @Test
  void vectorKernelChecksItsRanges() {
    assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    FloatDot vector = Kernels.create(Kernels.Choice.VECTOR).floatDot();
    // the last row would read past the matrix
    assertThrows(IndexOutOfBoundsException.class,
        () -> vector.vectorTimesMatrix(new float[4], 0, 4, new float[40], 0, 10, 11, new float[11], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> vector.vectorTimesMatrix(new float[3], 0, 4, new float[40], 0, 10, 10, new float[10], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> vector.vectorTimesMatrix(new float[4], 0, 4, new float[40], 0, 10, 10, new float[12], 3));
    assertThrows(IndexOutOfBoundsException.class,
        () -> vector.vectorTimesHalfMatrix(new float[4], 0, 4, new short[40], 0, 10, 11, new float[11], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> vector.vectorTimesHalfMatrix(new float[4], 0, 4, new short[40], 0, 10, 10, new float[12], 3));
  }

  /**
   * Each of dot2Rows' sums is dot's, bit for bit, for the vector and the scalar kernels: a row's logit must not
   * depend on the batch it was computed in. Lengths around the 32-value rounds (so the tails run), batches around
   * the vector kernel's tiles of four (so the one-vector path runs too), offsets and strides that are not the
   * row length, and outputs around the written ones that must stay untouched.
   */
  @Test
  void dot2RowsGivesEachRowAndVectorItsOwnDot() {
    java.util.List<FloatDot> kernels = new java.util.ArrayList<>(java.util.List.of(FloatDot.SCALAR));
    if (Kernels.vectorAvailable()) kernels.add(Kernels.create(Kernels.Choice.VECTOR).floatDot());
    SplittableRandom r = new SplittableRandom(23);
    for (FloatDot dot : kernels) {
      for (int n : new int[] {1, 7, 31, 32, 33, 64, 95, 1536, 2050}) {
        for (int vectors : new int[] {1, 2, 3, 4, 5, 8, 9, 16}) {
          int aStride = n + 3;
          int bStride = n + 5;
          int outStride = 7;
          float[] a = new float[1 + aStride + n];
          float[] b = new float[2 + vectors * bStride];
          for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
          for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextGaussian() * 100);
          float[] out = new float[3 + vectors * outStride];
          java.util.Arrays.fill(out, Float.NaN);
          dot.dot2Rows(a, 1, aStride, b, 2, bStride, vectors, n, out, 3, outStride);
          for (int i = 0; i < out.length; i++) {
            int v = (i - 3) / outStride;
            int j = (i - 3) % outStride;
            if (i < 3 || j > 1) {
              assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(out[i]), dot + ": out[" + i + "] written");
              continue;
            }
            float want = dot.dot(a, 1 + j * aStride, b, 2 + v * bStride, n);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]), dot + ": n=" + n + ", vectors=" + vectors + ", row " + j + ", vector " + v);
          }
        }
      }
      // a second row past the end of a, a last vector past the end of b, a last output past the end of out
      assertThrows(IndexOutOfBoundsException.class, () -> dot.dot2Rows(new float[10], 0, 5, new float[20], 0, 10, 2, 6, new float[20], 0, 10));
      assertThrows(IndexOutOfBoundsException.class, () -> dot.dot2Rows(new float[10], 0, 5, new float[20], 0, 16, 2, 5, new float[20], 0, 10));
      assertThrows(IndexOutOfBoundsException.class, () -> dot.dot2Rows(new float[10], 0, 5, new float[20], 0, 10, 2, 5, new float[11], 0, 10));
    }
  }
}
