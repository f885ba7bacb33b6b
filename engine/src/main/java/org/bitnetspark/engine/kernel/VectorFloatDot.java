package org.bitnetspark.engine.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.quant.Float16;

/**
 * {@link FloatDot} with the Vector API: four independent fused multiply-add chains (one chain would
 * wait on the FMA latency every step), then a pairwise lane sum. {@code reduceLanes(ADD)} on floats
 * is an ordered, sequential reduction in C2; the butterfly of swaps below is a few shuffles.
 */
final class VectorFloatDot implements FloatDot {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  /** As many ints and halves as {@link #F} has floats, for {@link #dotScaledHalves}. */
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] SWAPS = new VectorShuffle[Integer.numberOfTrailingZeros(L)];

  static {
    for (int s = 0, k = L / 2; k >= 1; k /= 2, s++) {
      int distance = k;
      SWAPS[s] = VectorShuffle.fromOp(F, i -> i ^ distance);
    }
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    // once per call, for when the JDK's per-access checks are off (Kernels)
    Objects.checkFromIndexSize(aOff, n, a.length);
    Objects.checkFromIndexSize(bOff, n, b.length);
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    FloatVector acc2 = FloatVector.zero(F);
    FloatVector acc3 = FloatVector.zero(F);
    int i = 0;
    for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
      acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
      acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
      acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
      acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
    }
    for (int bound = F.loopBound(n); i < bound; i += L) {
      acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
    }
    FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
    for (VectorShuffle<Float> swap : SWAPS) acc = acc.add(acc.rearrange(swap));
    float sum = acc.lane(0);
    for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
    return sum;
  }

  /** {@link #dot}'s loops, with {@code a} decoded from halves as {@link VectorHalfDecoder#decodeScaled} does. */
  @Override
  public float dotScaledHalves(short[] h, int hOff, float[] x, int xOff, int n) {
    Objects.checkFromIndexSize(hOff, n, h.length);
    Objects.checkFromIndexSize(xOff, n, x.length);
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    FloatVector acc2 = FloatVector.zero(F);
    FloatVector acc3 = FloatVector.zero(F);
    int i = 0;
    for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
      acc0 = scaledHalves(h, hOff + i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
      acc1 = scaledHalves(h, hOff + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
      acc2 = scaledHalves(h, hOff + i + 2 * L).fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), acc2);
      acc3 = scaledHalves(h, hOff + i + 3 * L).fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), acc3);
    }
    for (int bound = F.loopBound(n); i < bound; i += L) {
      acc0 = scaledHalves(h, hOff + i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
    }
    FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
    for (VectorShuffle<Float> swap : SWAPS) acc = acc.add(acc.rearrange(swap));
    float sum = acc.lane(0);
    for (; i < n; i++) sum += Float16.toFloat(h[hOff + i]) * HalfDecoder.SCALE * x[xOff + i];
    return sum;
  }

  /** L halves at {@code at}, each times 2^-112 exactly (see {@link HalfDecoder#decodeScaled}). */
  private static FloatVector scaledHalves(short[] h, int at) {
    IntVector bits = (IntVector) ShortVector.fromArray(H, h, at).convertShape(VectorOperators.S2I, I, 0);
    return bits.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats();
  }
}
