package org.bitnetspark.engine.kernel;

/**
 * e^x in float arithmetic alone, so that a vector kernel can compute it lane by lane with the same operations
 * and get the same bits ({@code Math.exp} is a double routine, and the Vector API's {@code EXP} gives different
 * bits compiled and interpreted). Cody and Waite's reduction x = k·ln 2 + r with |r| <= ln 2 / 2, then the
 * degree-7 Taylor polynomial of e^r (its truncation error, r^8/8! <= 6e-9, is below a float's rounding) by
 * Horner's rule with fused multiply-adds, then 2^k by moving k into the exponent bits. Within 1 ulp of e^x
 * on [-87, 88] (tested against {@code Math.exp}); inputs outside are clamped to it, where it changes nothing
 * that survives: in the SiLU 1 + e^-87 is already 1 in float, and in a softmax, whose largest term is 1, e^-87
 * (1.6e-38) cannot be told from 0.
 */
final class FloatExp {
  private FloatExp() {}

  static final float MIN_X = -87f;
  static final float MAX_X = 88f;
  static final float LOG2E = 1.44269504f;
  /** ln 2 split in two: the high part has 15 significant bits, so k·LN2_HI is exact for |k| < 2^9. */
  static final float LN2_HI = 0.693145752f;
  static final float LN2_LO = 1.42860677e-6f;
  /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
  static final float ROUND = 12582912f;
  /** 1/7! .. 1/2!, then 1 and 1: e^r's Taylor coefficients, highest first. */
  static final float[] COEFFICIENTS = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

  static float exp(float x) {
    x = Math.min(Math.max(x, MIN_X), MAX_X);
    float j = x * LOG2E + ROUND; // 1.5·2^23 + k, with the integer k in the low mantissa bits
    float k = j - ROUND;
    float r = Math.fma(k, -LN2_HI, x);
    r = Math.fma(k, -LN2_LO, r);
    float p = COEFFICIENTS[0];
    for (int i = 1; i < COEFFICIENTS.length; i++) p = Math.fma(p, r, COEFFICIENTS[i]);
    // the shift keeps the low nine bits: k + 127, in [1, 254] on the clamped range, is 2^k's biased exponent
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(j) + 127) << 23);
  }
}
