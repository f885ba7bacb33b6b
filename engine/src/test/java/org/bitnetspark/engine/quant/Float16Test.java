package org.bitnetspark.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Float16Test {

  @Test
  void convertsHandPickedHalves() {
    assertEquals(1.0f, Float16.toFloat((short) 0x3C00));
    assertEquals(-2.0f, Float16.toFloat((short) 0xC000));
    assertEquals(65504f, Float16.toFloat((short) 0x7BFF)); // largest finite half
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal
    assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400)); // smallest normal
    assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat((short) 0x7C00));
    assertEquals(0.333251953125f, Float16.toFloat((short) 0x3555)); // 1/3 rounded: 0x3555 = 1365/4096
  }

  @Test
  void everyHalfSurvivesARoundTrip() {
    for (int h = 0; h < 1 << 16; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) continue;
      assertEquals((short) h, Float16.fromFloat(f), "half 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void roundsToNearestWithTiesToEven() {
    // halves near 1 are 2^-10 apart: 1 + 2^-11 is a tie between 1 (even) and 1 + 2^-10 (odd)
    assertEquals((short) 0x3C00, Float16.fromFloat(1f + 0x1p-11f));
    // 1 + 3*2^-11 ties between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up
    assertEquals((short) 0x3C02, Float16.fromFloat(1f + 3 * 0x1p-11f));
    assertEquals((short) 0x3C01, Float16.fromFloat(1f + 0x1p-11f + 0x1p-20f)); // just above the tie
    assertEquals((short) 0x7C00, Float16.fromFloat(65520f)); // rounds past the largest finite half
    assertEquals((short) 0x7BFF, Float16.fromFloat(65519f));
    assertEquals((short) 0x0000, Float16.fromFloat(0x1p-25f)); // a tie between 0 and the smallest subnormal
    assertEquals((short) 0x0001, Float16.fromFloat(0x1.8p-25f));
    assertEquals((short) 0x8001, Float16.fromFloat(-0x1p-24f));
  }

  /**
   * The direct rounding equals converting to a half and back, bit for bit: at and beside every half, at
   * and beside every midpoint between neighbouring halves (the ties), and across all floats in steps.
   */
  @Test
  void roundEqualsTheConversionRoundTrip() {
    for (int h = 0; h < 1 << 15; h++) {
      int at = Float.floatToRawIntBits(Float16.toFloat((short) h));
      int next = Float.floatToRawIntBits(Float16.toFloat((short) (h + 1)));
      int mid = Float.floatToRawIntBits((Float.intBitsToFloat(at) + Float.intBitsToFloat(next)) / 2);
      for (int d = -2; d <= 2; d++) {
        for (int bits : new int[] {at + d, mid + d}) {
          assertRoundTrip(bits);
          assertRoundTrip(bits | 0x80000000);
        }
      }
    }
    for (long bits = 0; bits <= 0xffffffffL; bits += 4099) assertRoundTrip((int) bits);
  }

  private static void assertRoundTrip(int bits) {
    float f = Float.intBitsToFloat(bits);
    float want = Float16.toFloat(Float16.fromFloat(f));
    float got = Float16.round(f);
    if (Float.isNaN(want)) {
      assertEquals(true, Float.isNaN(got), "0x" + Integer.toHexString(bits));
    } else {
      assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), "0x" + Integer.toHexString(bits));
    }
  }

  /**
   * On Java 20 and later the JDK's own conversion ({@code Float.floatToFloat16}) is an independent
   * reference: every half's neighbourhood and ties, and a sweep across all floats, must give the same
   * bits (NaN payloads aside).
   */
  @Test
  void fromFloatAgreesWithTheJdkConversion() throws Throwable {
    java.lang.invoke.MethodHandle jdk;
    try {
      jdk = java.lang.invoke.MethodHandles.publicLookup().findStatic(Float.class, "floatToFloat16",
          java.lang.invoke.MethodType.methodType(short.class, float.class));
    } catch (NoSuchMethodException e) {
      org.junit.jupiter.api.Assumptions.abort("Float.floatToFloat16 needs Java 20 or later; the hand-checked cases above still run");
      return;
    }
    for (int h = 0; h < 0x7c00; h++) {
      int at = Float.floatToRawIntBits(Float16.toFloat((short) h));
      int mid = Float.floatToRawIntBits((Float16.toFloat((short) h) + Float16.toFloat((short) (h + 1))) / 2);
      for (int d = -2; d <= 2; d++) {
        for (int bits : new int[] {at + d, mid + d, (at + d) | 0x80000000, (mid + d) | 0x80000000}) {
          float f = Float.intBitsToFloat(bits);
          if (Float.isNaN(f)) continue;
          assertEquals((short) jdk.invokeExact(f), Float16.fromFloat(f), "0x" + Integer.toHexString(bits));
        }
      }
    }
    for (long b = 0; b <= 0xffffffffL; b += 1021) {
      float f = Float.intBitsToFloat((int) b);
      if (Float.isNaN(f)) continue;
      assertEquals((short) jdk.invokeExact(f), Float16.fromFloat(f), "0x" + Long.toHexString(b));
    }
  }

  @Test
  void convertsBfloat16() {
    assertEquals(1.0f, Float16.bf16ToFloat((short) 0x3F80));
    assertEquals((short) 0x3F80, Float16.floatToBf16(1.0f));
    // 1 + 2^-8 is a tie between 1 and 1 + 2^-7 in bf16: stays at the even 1
    assertEquals((short) 0x3F80, Float16.floatToBf16(1f + 0x1p-8f));
    assertEquals((short) 0x3F81, Float16.floatToBf16(1f + 0x1p-8f + 0x1p-20f));
  }
}
