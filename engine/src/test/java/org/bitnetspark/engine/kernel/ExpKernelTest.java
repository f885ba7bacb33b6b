package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float exponential and what is built on it (the FFN's SiLU gate, softmax's exponentials), against
 * double-precision references and bit for bit across kernels.
 */
class ExpKernelTest {

  /**
   * e^x within 1 ulp of e^x ({@code Math.exp} in double, itself within 1 ulp of a double: far below a float's)
   * over [-87, 88]: every 997th float of the range plus the ends and round values (measured worst: 0.89 ulp).
   * A wrong coefficient or a dropped low part of ln 2 fails this.
   */
  @Test
  void expIsWithinTwoUlpOfTheDoubleExponential() {
    double worst = 0;
    for (float x : new float[] {-87f, 88f, 0f, -0f, 1f, -1f, 0.5f, 0.34657359f, -0.34657359f, 10f, -10f}) {
      worst = Math.max(worst, checkExp(x));
    }
    // positive floats up to 88, then negative ones down to -87 (their bits run the other way)
    for (int bits = Float.floatToRawIntBits(88f); bits > 0; bits -= 997) worst = Math.max(worst, checkExp(Float.intBitsToFloat(bits)));
    for (int bits = Float.floatToRawIntBits(-87f); bits < 0; bits -= 997) worst = Math.max(worst, checkExp(Float.intBitsToFloat(bits)));
    assertTrue(worst > 0, "the approximation should not be exact everywhere; worst " + worst + " ulp");
  }

  private static double checkExp(float x) {
    double exact = Math.exp(x);
    float got = FloatExp.exp(x);
    double ulps = Math.abs(got - exact) / Math.ulp((float) exact);
    assertTrue(ulps <= 1, "e^" + x + ": " + got + " against " + exact + " (" + ulps + " ulp)");
    return ulps;
  }

  /**
   * SiLU times up against the same formula in double: the exponential's 1 ulp plus the float add, divide and
   * multiply roundings (half an ulp each) stay within 3 ulp of the result, over gates in [-20, 20]. Beyond the
   * clamp (|g| > 87) the float result is g·up or a signed zero, as in double.
   */
  @Test
  void siluMatchesTheDoubleFormula() {
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 200_000; i++) {
      float g = (float) (r.nextDouble() * 40 - 20);
      float up = (float) r.nextGaussian();
      double want = g / (1 + Math.exp(-(double) g)) * up;
      float got = ExpKernel.silu(g, up);
      assertTrue(Math.abs(got - want) <= 3 * Math.ulp((float) want), g + ", " + up + ": " + got + " against " + want);
    }
    assertEquals(100f * 3f, ExpKernel.silu(100f, 3f));
    assertEquals(0f, ExpKernel.silu(-100f, 3f), 1e-30f);
    assertEquals(0f, ExpKernel.silu(0f, 3f));
  }

  /**
   * The vector kernel equals the scalar one bit for bit: values over the clamps and both signs, lengths around
   * the eight-value vectors so the tails run, and ranges that start inside the arrays.
   */
  @Test
  void vectorKernelEqualsTheScalarOneBitForBit() {
    List<ExpKernel> kernels = kernels();
    SplittableRandom r = new SplittableRandom(9);
    for (int n : new int[] {1, 7, 8, 9, 31, 512, 4099}) {
      float[] x = new float[n + 5];
      float[] up = new float[n + 5];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * (i % 11 == 0 ? 60 : 4));
        up[i] = (float) r.nextGaussian();
      }
      x[3] = -0f;
      float max = 3f;
      float[] wantGate = x.clone();
      float[] wantExp = x.clone();
      for (int i = 2; i < n + 2; i++) {
        wantGate[i] = ExpKernel.silu(x[i], up[i]);
        wantExp[i] = ExpKernel.expMinus(x[i], max);
      }
      for (ExpKernel k : kernels) {
        float[] gate = x.clone();
        k.siluGate(gate, up, 2, n + 2);
        float[] exps = x.clone();
        k.expMinus(exps, 2, n + 2, max);
        for (int i = 0; i < x.length; i++) {
          assertEquals(Float.floatToRawIntBits(wantGate[i]), Float.floatToRawIntBits(gate[i]), k + " gate, n=" + n + ", i=" + i);
          assertEquals(Float.floatToRawIntBits(wantExp[i]), Float.floatToRawIntBits(exps[i]), k + " exp, n=" + n + ", i=" + i);
        }
      }
    }
    for (ExpKernel k : kernels) {
      assertThrows(IndexOutOfBoundsException.class, () -> k.siluGate(new float[8], new float[7], 0, 8), k.toString());
      assertThrows(IndexOutOfBoundsException.class, () -> k.expMinus(new float[7], 0, 8, 0f), k.toString());
    }
  }

  /**
   * Softmax's exponentials, e^(x - max), within 1 ulp of the double exponential of the float difference, over
   * differences from 0 down to -86; the largest value gives exactly 1; and below the clamp a value gives e^-87
   * (1.6e-38), which a softmax whose largest term is 1 cannot tell from 0. Every kernel, so that a vector kernel
   * that dropped the subtraction or the clamp fails here as well as in the bit-for-bit test.
   */
  @Test
  void softmaxExponentialsAreWithinOneUlpAndClampFarBelowTheMax() {
    SplittableRandom r = new SplittableRandom(13);
    for (ExpKernel k : kernels()) {
      float max = 12.5f;
      float[] x = new float[1000];
      for (int i = 0; i < x.length; i++) x[i] = max - (float) (r.nextDouble() * 86);
      x[17] = max;
      float[] got = x.clone();
      k.expMinus(got, 0, x.length, max);
      for (int i = 0; i < x.length; i++) {
        double exact = Math.exp(x[i] - max);
        assertTrue(Math.abs(got[i] - exact) <= Math.ulp((float) exact), k + ": e^(" + x[i] + " - " + max + ") = " + got[i] + " against " + exact);
      }
      assertEquals(1f, got[17], k.toString());
      float[] far = {max - 200f, max - 1000f, Float.NEGATIVE_INFINITY, max - 88f, max - 87.5f, max - 100f, max - 90f, max - 120f, max - 300f};
      k.expMinus(far, 0, far.length, max);
      for (float e : far) assertEquals(FloatExp.exp(-87f), e, k.toString());
      assertTrue(FloatExp.exp(-87f) < 2e-38f);
    }
  }

  private static List<ExpKernel> kernels() {
    List<ExpKernel> kernels = new ArrayList<>(List.of(ExpKernel.SCALAR));
    if (Kernels.vectorAvailable()) kernels.add(Kernels.create(Kernels.Choice.VECTOR).expKernel());
    return kernels;
  }
}
