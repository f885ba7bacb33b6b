package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a 256-bit float vector's lanes, in one fixed order: a butterfly of three swap-and-add steps.
 * {@code reduceLanes(ADD)} leaves the order of float additions to the implementation, and the JDK's Java
 * fallback and C2's intrinsic need not agree (on Java 25 they did not), so a result would depend on whether
 * the caller was compiled yet. Lanewise adds are exact IEEE operations everywhere.
 */
final class FloatLanes {
  private FloatLanes() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] SWAPS = new VectorShuffle[3];

  static {
    for (int s = 0, k = F.length() / 2; k >= 1; k /= 2, s++) {
      int distance = k;
      SWAPS[s] = VectorShuffle.fromOp(F, i -> i ^ distance);
    }
  }

  /** {@code v}'s eight lanes summed pairwise: ((0+4)+(2+6))+((1+5)+(3+7)). */
  static float sum(FloatVector v) {
    for (VectorShuffle<Float> swap : SWAPS) v = v.add(v.rearrange(swap));
    return v.lane(0);
  }
}
