package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.quant.Float16;
import org.junit.jupiter.api.Test;

class HalfDecoderTest {

  /** Every half (NaNs by bits), at an odd offset and length so the scalar tail runs too. */
  @Test
  void vectorConversionEqualsTheTableForEveryHalf() {
    assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    HalfDecoder vector = Kernels.create(Kernels.Choice.VECTOR).halfDecoder();
    int n = 1 << 16;
    short[] b = new short[n + 1];
    for (int h = 0; h < n; h++) b[1 + h] = (short) h;
    float[] expected = new float[n + 3];
    float[] actual = new float[n + 3];
    HalfDecoder.SCALAR.decode(b, 1, expected, 3, n - 1);
    vector.decode(b, 1, actual, 3, n - 1);
    for (int i = 0; i < n + 3; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "half 0x" + Integer.toHexString(i - 3));
    }
  }

  /** The scaled decode, vector and scalar, is the value times 2^-112 bit for bit for every finite half. */
  @Test
  void scaledDecodeIsTheValueTimes2ToTheMinus112ForEveryFiniteHalf() {
    int n = 1 << 16;
    short[] b = new short[n];
    for (int h = 0; h < n; h++) b[h] = (short) h;
    float[] scalar = new float[n];
    HalfDecoder.SCALAR.decodeScaled(b, 0, scalar, 0, n);
    float[] vector = new float[n];
    if (Kernels.vectorAvailable()) Kernels.create(Kernels.Choice.VECTOR).halfDecoder().decodeScaled(b, 0, vector, 0, n);
    for (int h = 0; h < n; h++) {
      if ((h & 0x7c00) == 0x7c00) continue; // infinities and NaNs: callers never use the scaled decode
      float want = Float16.toFloat((short) h) * 0x1p-112f;
      assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(scalar[h]), "scalar, half 0x" + Integer.toHexString(h));
      if (Kernels.vectorAvailable()) {
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(vector[h]), "vector, half 0x" + Integer.toHexString(h));
      }
    }
  }

  /**
   * An F16 matrix times a batch, through the scaled decode, equals the products of the exactly decoded
   * halves and the F16-rounded inputs, summed by the same dot product: bit for bit (subnormal halves
   * and inputs included); a matrix holding an infinity takes the exact conversion and still agrees.
   */
  /**
   * The fused product of halves and floats equals decoding the row and then taking the dot product,
   * bit for bit, for the vector and the scalar kernels, at lengths around every vector and chain
   * boundary and at odd offsets; and both are the exact product to float rounding (1e-6 of Σ|h·x|).
   */
  @Test
  void fusedHalfDotEqualsDecodeThenDot() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(17);
    java.util.List<Kernels> kernels = new java.util.ArrayList<>(java.util.List.of(Kernels.create(Kernels.Choice.SCALAR)));
    if (Kernels.vectorAvailable()) kernels.add(Kernels.create(Kernels.Choice.VECTOR));
    for (int n : new int[] {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1536}) {
      short[] h = new short[n + 2];
      float[] x = new float[n + 1];
      for (int i = 0; i < h.length; i++) h[i] = Float16.fromFloat((float) r.nextGaussian() * (r.nextBoolean() ? 1e-6f : 1f));
      for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() / HalfDecoder.SCALE);
      double exact = 0;
      double magnitude = 0;
      for (int i = 0; i < n; i++) {
        double p = (double) Float16.toFloat(h[2 + i]) * HalfDecoder.SCALE * x[1 + i];
        exact += p;
        magnitude += Math.abs(p);
      }
      for (Kernels k : kernels) {
        float[] row = new float[n];
        k.halfDecoder().decodeScaled(h, 2, row, 0, n);
        float unfused = k.floatDot().dot(row, 0, x, 1, n);
        float fused = k.floatDot().dotScaledHalves(h, 2, x, 1, n);
        assertEquals(Float.floatToRawIntBits(unfused), Float.floatToRawIntBits(fused), k.name() + " n=" + n);
        assertEquals(exact, fused, 1e-6 * magnitude, k.name() + " against the exact product, n=" + n);
      }
    }
  }

  @Test
  void f16MatmulIsBitIdenticalToTheExactConversion() {
    int rows = 37;
    int cols = 72;
    for (boolean withInfinity : new boolean[] {false, true}) {
      ByteBuffer data = ByteBuffer.allocate(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
      java.util.SplittableRandom r = new java.util.SplittableRandom(5);
      for (int i = 0; i < rows * cols; i++) {
        short h = Float16.fromFloat((float) (r.nextGaussian() * (i % 7 == 0 ? 1e-6 : 0.05)));
        data.putShort(2 * i, h);
      }
      if (withInfinity) data.putShort(2 * (5 * cols + 3), (short) 0x7c00);
      TensorInfo t = new TensorInfo("m", GgmlType.F16, new long[] {cols, rows}, 0, 2L * rows * cols);
      DenseLinear m = new DenseLinear(t, data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
      int batch = 3;
      float[] x = new float[batch * cols];
      for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (i % 11 == 0 ? 1e-6 : 3));
      for (Kernels k : kernels()) {
        Compute c = new Compute(k, new ParallelRows(1), ActivationQuant.NONE);
        float[] out = new float[batch * rows];
        m.forward(x, batch, out, c);
        float[] w = new float[cols];
        float[] xr = new float[cols];
        for (int row = 0; row < rows; row++) {
          short[] halves = new short[cols];
          data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(2 * row * cols).asShortBuffer().get(halves);
          HalfDecoder.SCALAR.decode(halves, 0, w, 0, cols);
          for (int b = 0; b < batch; b++) {
            for (int i = 0; i < cols; i++) xr[i] = Float16.round(x[b * cols + i]);
            float want = k.floatDot().dot(w, 0, xr, 0, cols);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[b * rows + row]),
                k.name() + " row " + row + " vector " + b + (withInfinity ? " (matrix with an infinity)" : ""));
          }
        }
      }
    }
  }

  private static java.util.List<Kernels> kernels() {
    return Kernels.vectorAvailable() ? java.util.List.of(Kernels.create(Kernels.Choice.SCALAR),
        Kernels.create(Kernels.Choice.VECTOR)) : java.util.List.of(Kernels.create(Kernels.Choice.SCALAR));
  }
}
