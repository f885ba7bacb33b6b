package org.bitnetspark.engine.kernel;

import java.util.Objects;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.quant.Float16;

/**
 * Exact half-to-float conversion, eight values at a time, by bit moves: a half's sign, exponent and
 * mantissa shifted into a float's make the value times 2^-112, which a multiply by 2^112 restores exactly.
 * Same results as the table, for every one of the 65536 halves (tested).
 */
final class VectorHalfDecoder implements HalfDecoder {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_128; // 8 halves
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256; // 8 ints
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

  /**
   * The scaled bits ({@link #decodeScaled}) times 2^112: exact for every finite half, subnormals included
   * (a power-of-two product of a float that stays in range). A vector holding an infinity or a NaN, whose
   * exponent the scaled bits cannot express, takes the table instead. Four operations per eight halves,
   * where rebiasing with special cases took about twenty: a decode-batch step converts its sequences'
   * whole F16 KV caches, and that conversion was most of attention's time.
   */
  @Override
  public void decode(short[] src, int index, float[] dst, int dstOffset, int n) {
    checkRanges(src, index, n, dst, dstOffset);
    int i = 0;
    for (int bound = n - n % 8; i < bound; i += 8) {
      IntVector bits = (IntVector) ShortVector.fromArray(S, src, index + i).convertShape(VectorOperators.S2I, I, 0);
      if (bits.and(EXPONENT).compare(VectorOperators.EQ, EXPONENT).anyTrue()) {
        for (int j = i; j < i + 8; j++) dst[dstOffset + j] = Float16.toFloat(src[index + j]);
      } else {
        bits.lanewise(VectorOperators.LSHL, 13).and(SCALED_BITS_MASK).reinterpretAsFloats().mul(HalfDecoder.UNSCALE)
            .intoArray(dst, dstOffset + i);
      }
    }
    for (; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src[index + i]);
  }

  /** A half's exponent bits: all ones for infinities and NaNs. */
  private static final int EXPONENT = 0x7c00;
}
