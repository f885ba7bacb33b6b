package org.bitnetspark.engine.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.quant.Float16;

/**
 * Exact half-to-float conversion, eight values at a time, by bit arithmetic: a normal half moves its
 * exponent and mantissa into place and rebiases the exponent (+112); a subnormal is its mantissa
 * times 2^-24 (exact in float); infinities and NaNs get the all-ones exponent. Same results as the
 * table, for every one of the 65536 halves (tested).
 */
final class VectorHalfDecoder implements HalfDecoder {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_128; // 8 halves
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256; // 8 ints
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  /** A sign-extended half shifted left 13 and masked with this is the value times 2^-112 as float bits. */
  static final int SCALED_BITS_MASK = 0x8FFFE000;

  /** Once per call, for when the JDK's per-access checks are off (Kernels). */
  private static void checkRanges(short[] src, int index, int n, float[] dst, int dstOffset) {
    Objects.checkFromIndexSize(index, n, src.length);
    Objects.checkFromIndexSize(dstOffset, n, dst.length);
  }

  /**
   * Sign-extended to an int, shifted left 13, masked to the sign bit and bits 27..13: the half's sign,
   * exponent and mantissa land on the float's, with the float exponent's top three bits zero, which is
   * the value times 2^-112 (subnormal halves become subnormal floats, exactly).
   */
  @Override
  public void decodeScaled(short[] src, int index, float[] dst, int dstOffset, int n) {
    checkRanges(src, index, n, dst, dstOffset);
    int i = 0;
    for (int bound = n - n % 8; i < bound; i += 8) {
      IntVector bits = (IntVector) ShortVector.fromArray(S, src, index + i).convertShape(VectorOperators.S2I, I, 0);
      bits.lanewise(VectorOperators.LSHL, 13).and(SCALED_BITS_MASK).reinterpretAsFloats().intoArray(dst, dstOffset + i);
    }
    for (; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src[index + i]) * SCALE;
  }

  @Override
  public void decode(short[] src, int index, float[] dst, int dstOffset, int n) {
    checkRanges(src, index, n, dst, dstOffset);
    int i = 0;
    for (int bound = n - n % 8; i < bound; i += 8) {
      ShortVector h = ShortVector.fromArray(S, src, index + i);
      IntVector bits = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
      IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
      IntVector exp = bits.lanewise(VectorOperators.LSHR, 10).and(0x1f);
      IntVector mant = bits.and(0x3ff);
      // normal: (exp + 112) << 23 | mant << 13
      IntVector normal = exp.add(112).lanewise(VectorOperators.LSHL, 23).or(mant.lanewise(VectorOperators.LSHL, 13));
      VectorMask<Integer> special = exp.eq(0x1f);
      normal = normal.blend(mant.lanewise(VectorOperators.LSHL, 13).or(0x7f800000), special);
      FloatVector value = normal.reinterpretAsFloats();
      VectorMask<Integer> tiny = exp.eq(0);
      FloatVector subnormal = ((FloatVector) mant.convertShape(VectorOperators.I2F, F, 0)).mul(0x1p-24f);
      value = value.blend(subnormal, tiny.cast(F));
      // the sign goes on last, so that -0 and negative subnormals come out right
      value = value.reinterpretAsInts().or(sign).reinterpretAsFloats();
      value.intoArray(dst, dstOffset + i);
    }
    for (; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src[index + i]);
  }
}
