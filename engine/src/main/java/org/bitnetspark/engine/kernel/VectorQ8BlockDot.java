package org.bitnetspark.engine.kernel;

import static org.bitnetspark.engine.kernel.Q8BlockDot.BLOCK;
import static org.bitnetspark.engine.kernel.Q8BlockDot.BLOCK_BYTES;

import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Q8BlockDot} with the Vector API. A block's 32 weights are two 16-byte loads widened to 16 short
 * lanes each and multiplied by the input's 16-bit values; the two halves' products add without overflow
 * (|sum| <= 2 * 128 * 127). Adjacent short lanes are then summed into 8 int lanes (an arithmetic shift of
 * each int, plus its low half sign-extended: there is no widening pairwise add in the Vector API),
 * converted to float (exact: at most 65024) and accumulated with the block's two scales in one FMA.
 */
final class VectorQ8BlockDot implements Q8BlockDot {
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

  @Override
  public float dot(byte[] q8, int rowOff, float[] wScales, short[] aq, int aOff, float[] aScales, int aBlock,
      int blocks) {
    // once per call, for when the JDK's per-access checks are off (Kernels)
    Objects.checkFromIndexSize(rowOff, blocks * BLOCK_BYTES, q8.length);
    Objects.checkFromIndexSize(0, blocks, wScales.length);
    Objects.checkFromIndexSize(aOff, blocks * BLOCK, aq.length);
    Objects.checkFromIndexSize(aBlock, blocks, aScales.length);
    // two chains, so that one block's FMA need not wait for the previous block's
    FloatVector even = FloatVector.zero(F);
    FloatVector odd = FloatVector.zero(F);
    int b = 0;
    for (; b + 1 < blocks; b += 2) {
      even = blockSums(q8, rowOff, aq, aOff, b).fma(scale(wScales, aScales, aBlock, b), even);
      odd = blockSums(q8, rowOff, aq, aOff, b + 1).fma(scale(wScales, aScales, aBlock, b + 1), odd);
    }
    if (b < blocks) even = blockSums(q8, rowOff, aq, aOff, b).fma(scale(wScales, aScales, aBlock, b), even);
    return FloatLanes.sum(even.add(odd));
  }

  private static FloatVector scale(float[] wScales, float[] aScales, int aBlock, int b) {
    return FloatVector.broadcast(F, wScales[b] * aScales[aBlock + b]);
  }

  /** Block b's 32 products, summed into 8 lanes as floats. */
  private static FloatVector blockSums(byte[] q8, int rowOff, short[] aq, int aOff, int b) {
    int w = rowOff + b * BLOCK_BYTES + 2;
    int a = aOff + b * BLOCK;
    ShortVector lo = (ShortVector) ByteVector.fromArray(B, q8, w).convertShape(VectorOperators.B2S, S, 0);
    ShortVector hi = (ShortVector) ByteVector.fromArray(B, q8, w + 16).convertShape(VectorOperators.B2S, S, 0);
    ShortVector products = lo.mul(ShortVector.fromArray(S, aq, a)).add(hi.mul(ShortVector.fromArray(S, aq, a + 16)));
    IntVector pairs = products.reinterpretAsInts();
    IntVector sums = pairs.lanewise(VectorOperators.ASHR, 16)
        .add(pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
    return (FloatVector) sums.convert(VectorOperators.I2F, 0);
  }
}
