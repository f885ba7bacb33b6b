package org.bitnetspark.engine.quant;

/**
 * IEEE 754 half precision (binary16) conversions; Java 17 has no {@code Float.float16ToFloat}. This is
 * the one place half floats are converted.
 */
public final class Float16 {
  private static final float[] TO_FLOAT = new float[1 << 16];

  static {
    for (int h = 0; h < TO_FLOAT.length; h++) TO_FLOAT[h] = convert((short) h);
  }

  private Float16() {}

  /** Exact conversion of a half (as its raw bits) to float, by table lookup. */
  public static float toFloat(short half) {
    return TO_FLOAT[half & 0xffff];
  }

  private static float convert(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf, nan
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal: exact in float
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Float to half bits, rounding to nearest with ties to even (as the F16C instruction does). */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) { // inf or nan
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // rounds to >= 65520: overflow to inf
    if (abs < 0x38800000) { // below the smallest normal half: subnormal or zero
      if (abs < 0x33000000) return (short) sign; // below half of the smallest subnormal
      int exp = abs >>> 23;
      int mant = (abs & 0x7fffff) | 0x800000;
      int shift = 126 - exp; // 14 + (113 - exp) ... aligns to 2^-24 units
      int rounded = roundShift(mant, shift);
      return (short) (sign | rounded);
    }
    int rebased = abs - (112 << 23); // exponent bias 127 -> 15
    return (short) (sign | roundShift(rebased, 13));
  }

  /**
   * value >> shift, rounding to nearest, ties to even; a carry into the exponent is intended. Without a
   * branch: adding half an output unit less one, plus the kept part's lowest bit, carries exactly when the
   * rest is above half, or half with an odd kept part (KV caches convert every value; the branches
   * mispredicted on half of them).
   */
  private static int roundShift(int value, int shift) {
    return (value + (1 << (shift - 1)) - 1 + ((value >>> shift) & 1)) >>> shift;
  }

  /**
   * Rounds a float to the nearest half and back ({@code toFloat(fromFloat(f))}), without the detour where
   * it is not needed: attention rounds every query and weight of an F16 cache. In the normal range the
   * float's low 13 mantissa bits are rounded off in place, to nearest with ties to even (a carry into the
   * exponent is the right answer); below it halves are multiples of 2^-24, so the value is rounded to one
   * ({@code rint} ties to even; the scalings by powers of two are exact). Tested against the conversions.
   */
  public static float round(float f) {
    int bits = Float.floatToRawIntBits(f);
    int abs = bits & 0x7fffffff;
    if (abs >= 0x38800000 && abs < 0x477ff000) {
      return Float.intBitsToFloat((bits + 0xfff + ((bits >>> 13) & 1)) & ~0x1fff);
    }
    if (abs < 0x38800000) return (float) (Math.rint(f * 0x1p24) * 0x1p-24);
    return toFloat(fromFloat(f));
  }

  /** bfloat16 bits to float (exact: bf16 is the top half of a float). */
  public static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  /** Float to bfloat16 bits, round to nearest even (nan stays nan), as ggml does. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 64);
    return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
  }
}
