package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The FFN's SiLU gate and its float exponential, against double-precision references and bit for bit across kernels. */
class SiluGateTest {

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
      float got = SiluGate.of(g, up);
      assertTrue(Math.abs(got - want) <= 3 * Math.ulp((float) want), g + ", " + up + ": " + got + " against " + want);
    }
    assertEquals(100f * 3f, SiluGate.of(100f, 3f));
    assertEquals(0f, SiluGate.of(-100f, 3f), 1e-30f);
    assertEquals(0f, SiluGate.of(0f, 3f));
  }

  /**
   * The vector gate equals the scalar one bit for bit: gates over the clamps and both signs, lengths around
   * the eight-value vectors so the tail runs, and a range that starts inside the arrays.
   */
  @Test
  void vectorGateEqualsTheScalarOneBitForBit() {
    List<SiluGate> gates = new ArrayList<>(List.of(SiluGate.SCALAR));
    if (Kernels.vectorAvailable()) gates.add(Kernels.create(Kernels.Choice.VECTOR).siluGate());
    SplittableRandom r = new SplittableRandom(9);
    for (int n : new int[] {1, 7, 8, 9, 31, 512, 4099}) {
      float[] gate = new float[n + 5];
      float[] up = new float[n + 5];
      for (int i = 0; i < gate.length; i++) {
        gate[i] = (float) (r.nextGaussian() * (i % 11 == 0 ? 60 : 4));
        up[i] = (float) r.nextGaussian();
      }
      gate[3] = -0f;
      float[] want = gate.clone();
      for (int i = 2; i < n + 2; i++) want[i] = SiluGate.of(gate[i], up[i]);
      for (SiluGate s : gates) {
        float[] got = gate.clone();
        s.apply(got, up, 2, n + 2);
        for (int i = 0; i < got.length; i++) {
          assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), s + ", n=" + n + ", i=" + i);
        }
      }
    }
    if (gates.size() > 1) {
      assertThrows(IndexOutOfBoundsException.class, () -> gates.get(1).apply(new float[8], new float[7], 0, 8));
    }
  }
}
