package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.quant.Float16;
import org.bitnetspark.engine.quant.Quantize;
import org.junit.jupiter.api.Test;

/** The Q8_0 x Q8_0 products of a quantised head, against hand-computed sums and an analytic error bound. */
class Q8BlockDotTest {

  /**
   * Scales that are powers of two and inputs that are exact multiples of their block's scale: the input
   * quantises without loss, every block sum is an exact integer and every scaled term is exact, so both
   * kernels must give the integer arithmetic's answer exactly (row length 96: an odd block count).
   */
  @Test
  void exactInputsGiveTheExactSum() {
    int blocks = 3;
    float[] wScales = {0.5f, 0.25f, 2f};
    byte[] row = new byte[blocks * 34];
    for (int b = 0; b < blocks; b++) {
      putShort(row, b * 34, Float16.fromFloat(wScales[b]));
      for (int j = 0; j < 32; j++) row[b * 34 + 2 + j] = (byte) (b == 2 ? (j % 2 == 0 ? -128 : 127) : 31 * ((j + b) % 9) - 124);
    }
    float[] aScaleWanted = {0.125f, 1f, 0.0625f};
    float[] x = new float[96];
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < 32; j++) {
        int q = j == 7 ? -127 : (j * 37 + b * 11) % 255 - 127; // block b's max |q| is 127
        x[b * 32 + j] = q * aScaleWanted[b];
      }
    }
    short[] aq = new short[96];
    float[] aScales = new float[blocks];
    for (int b = 0; b < blocks; b++) aScales[b] = Quantize.q8_0(x, b * 32, aq, b * 32);
    double want = 0;
    for (int b = 0; b < blocks; b++) {
      assertEquals(aScaleWanted[b], aScales[b], "block " + b + " scale");
      long sum = 0;
      for (int j = 0; j < 32; j++) {
        assertEquals(Math.round(x[b * 32 + j] / aScaleWanted[b]), aq[b * 32 + j], "block " + b + " value " + j);
        sum += (long) row[b * 34 + 2 + j] * aq[b * 32 + j];
      }
      want += sum * (double) wScales[b] * aScaleWanted[b];
    }
    for (Q8BlockDot dot : dots()) assertEquals(want, dot.dot(row, 0, wScales, aq, 0, aScales, 0, blocks), 0.0, dot.toString());
  }

  /**
   * Random rows against the dot product of the dequantised row with the unquantised input, in double:
   * quantising an input value to q * fp16(d) errs by at most d/2 (rounding) plus 127 * d * 2^-11 (the
   * scale's fp16 rounding), so the result may differ by at most that bound times Σ|w| per block; float
   * rounding adds far less (checked separately below). Vector and scalar kernels must also agree to float
   * rounding: at most (blocks + 8) * 2^-24 of the sum of the terms' magnitudes.
   */
  @Test
  void randomRowsStayWithinTheInputQuantisationBound() {
    SplittableRandom r = new SplittableRandom(11);
    for (int blocks : new int[] {1, 2, 7, 48, 80}) {
      int cols = blocks * 32;
      ByteBuffer packed = ByteBuffer.allocate(blocks * 34).order(ByteOrder.LITTLE_ENDIAN);
      float[] w = new float[cols];
      for (int i = 0; i < cols; i++) w[i] = (float) (r.nextGaussian() * 0.02);
      for (int b = 0; b < blocks; b++) Quantize.q8_0(w, b * 32, packed);
      byte[] row = packed.array();
      float[] wd = new float[cols];
      Dequantize.row(GgmlType.Q8_0, packed, 0, cols, wd, 0);
      float[] wScales = new float[blocks];
      for (int b = 0; b < blocks; b++) wScales[b] = Float16.toFloat(packed.getShort(b * 34));
      float[] x = new float[cols];
      for (int i = 0; i < cols; i++) x[i] = (float) (r.nextGaussian() * (i % 13 == 0 ? 20 : 1));
      short[] aq = new short[cols];
      float[] aScales = new float[blocks];
      for (int b = 0; b < blocks; b++) aScales[b] = Quantize.q8_0(x, b * 32, aq, b * 32);
      double exact = 0;
      double bound = 0;
      double magnitude = 0;
      for (int b = 0; b < blocks; b++) {
        double absW = 0;
        long sum = 0;
        for (int j = 0; j < 32; j++) {
          exact += (double) wd[b * 32 + j] * x[b * 32 + j];
          absW += Math.abs(wd[b * 32 + j]);
          sum += (long) row[b * 34 + 2 + j] * aq[b * 32 + j];
        }
        bound += absW * aScales[b] * (0.5 + 127 * 0x1p-11) * 1.001;
        magnitude += Math.abs(sum * (double) wScales[b] * aScales[b]);
      }
      float scalar = Q8BlockDot.SCALAR.dot(row, 0, wScales, aq, 0, aScales, 0, blocks);
      assertTrue(Math.abs(scalar - exact) <= bound, blocks + " blocks: " + scalar + " vs " + exact + " (bound " + bound + ")");
      for (Q8BlockDot dot : dots()) {
        float got = dot.dot(row, 0, wScales, aq, 0, aScales, 0, blocks);
        assertEquals(scalar, got, (blocks + 8) * 0x1p-24 * magnitude, dot + ", " + blocks + " blocks");
      }
    }
  }

  /**
   * The vector kernel adds in one documented order, whether the JIT has compiled it yet or not: every call of
   * a long run (interpreted at first, C2 later) equals, bit for bit, a scalar emulation of that order: per
   * lane, two FMA chains (even and odd blocks) over the lane's exact integer block sums; then even + odd;
   * then the lanes pairwise, ((0+4)+(2+6)) + ((1+5)+(3+7)). A reduction left to the implementation's order
   * (Java 25's C2 and its Java fallback differ) would fail here.
   */
  @Test
  void vectorKernelAddsInOneFixedOrderInterpretedOrCompiled() {
    assumeTrue(Kernels.vectorAvailable(), "no Vector API here: only the scalar kernel runs");
    Q8BlockDot vector = Kernels.create(Kernels.Choice.VECTOR).q8Dot();
    SplittableRandom r = new SplittableRandom(17);
    int blocks = 7;
    byte[] row = new byte[blocks * 34];
    short[] aq = new short[blocks * 32];
    float[] wScales = new float[blocks];
    float[] aScales = new float[blocks];
    for (int call = 0; call < 20_000; call++) {
      r.nextBytes(row);
      for (int i = 0; i < aq.length; i++) aq[i] = (short) (r.nextInt(255) - 127);
      for (int b = 0; b < blocks; b++) {
        wScales[b] = (float) r.nextDouble(1e-3, 1);
        aScales[b] = (float) r.nextDouble(1e-3, 1);
      }
      float want = fixedOrderDot(row, wScales, aq, aScales, blocks);
      assertEquals(want, vector.dot(row, 0, wScales, aq, 0, aScales, 0, blocks), 0f, "call " + call);
    }
  }

  /** {@link #vectorKernelAddsInOneFixedOrderInterpretedOrCompiled}'s order, one float operation at a time. */
  private static float fixedOrderDot(byte[] row, float[] wScales, short[] aq, float[] aScales, int blocks) {
    float[] even = new float[8];
    float[] odd = new float[8];
    for (int b = 0; b < blocks; b++) {
      float scale = wScales[b] * aScales[b];
      for (int lane = 0; lane < 8; lane++) {
        int sum = 0; // lane l holds block positions 2l, 2l+1, 16+2l and 17+2l
        for (int j : new int[] {2 * lane, 2 * lane + 1, 16 + 2 * lane, 17 + 2 * lane}) {
          sum += row[b * 34 + 2 + j] * aq[b * 32 + j];
        }
        float[] chain = b % 2 == 0 ? even : odd; // an odd count's last block is even
        chain[lane] = Math.fma((float) sum, scale, chain[lane]);
      }
    }
    float[] t = new float[8];
    for (int lane = 0; lane < 8; lane++) t[lane] = even[lane] + odd[lane];
    return ((t[0] + t[4]) + (t[2] + t[6])) + ((t[1] + t[5]) + (t[3] + t[7]));
  }

  /**
   * A Q8_0 matrix times a batch through {@link DenseLinear} on two threads: each output is the reference
   * dot of its row and its input vector (the batch and thread split change nothing), and within the
   * quantisation bound of the float product.
   */
  @Test
  void q8MatrixTimesABatchIsTheBlockDotOfEveryRowAndVector() {
    int rows = 70; // above the 64 rows a thread split needs
    int cols = 160;
    SplittableRandom r = new SplittableRandom(3);
    ByteBuffer data = ByteBuffer.allocate(rows * cols / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
    float[] w = new float[cols];
    for (int row = 0; row < rows; row++) {
      for (int i = 0; i < cols; i++) w[i] = (float) r.nextGaussian();
      for (int b = 0; b < cols / 32; b++) Quantize.q8_0(w, b * 32, data);
    }
    TensorInfo t = new TensorInfo("m", GgmlType.Q8_0, new long[] {cols, rows}, 0, data.capacity());
    DenseLinear m = new DenseLinear(t, data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    int batch = 3;
    float[] x = new float[batch * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    for (Kernels k : kernels()) {
      try (ParallelRows two = new ParallelRows(2)) {
        float[] out = new float[batch * rows];
        m.forward(x, batch, out, new Compute(k, two, ActivationQuant.NONE));
        for (int v = 0; v < batch; v++) {
          short[] aq = new short[cols];
          float[] aScales = new float[cols / 32];
          for (int b = 0; b < cols / 32; b++) aScales[b] = Quantize.q8_0(x, v * cols + b * 32, aq, b * 32);
          for (int row = 0; row < rows; row++) {
            byte[] bytes = new byte[cols / 32 * 34];
            data.get(row * bytes.length, bytes);
            float[] wScales = new float[cols / 32];
            for (int b = 0; b < wScales.length; b++) wScales[b] = Float16.toFloat(data.getShort(row * bytes.length + b * 34));
            float want = k.q8Dot().dot(bytes, 0, wScales, aq, 0, aScales, 0, cols / 32);
            assertEquals(want, out[v * rows + row], 0.0, k.name() + " row " + row + " vector " + v);
          }
        }
      }
    }
  }

  private static void putShort(byte[] b, int i, short v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >> 8);
  }

  private static List<Q8BlockDot> dots() {
    return Kernels.vectorAvailable() ? List.of(Q8BlockDot.SCALAR, Kernels.create(Kernels.Choice.VECTOR).q8Dot())
        : List.of(Q8BlockDot.SCALAR);
  }

  private static List<Kernels> kernels() {
    return Kernels.vectorAvailable() ? List.of(Kernels.create(Kernels.Choice.SCALAR), Kernels.create(Kernels.Choice.VECTOR))
        : List.of(Kernels.create(Kernels.Choice.SCALAR));
  }
}
