package org.bitnetspark.engine.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ExpKernel} eight values at a time: {@link FloatExp}'s operations, lane by lane, in the same order
 * (the Java fallback and C2's code of these operations round alike: each is one IEEE operation), so the
 * results equal the scalar reference bit for bit; the tails go through it.
 */
final class VectorExpKernel implements ExpKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

  @Override
  public void siluGate(float[] gate, float[] up, int from, int to) {
    Objects.checkFromToIndex(from, to, gate.length);
    Objects.checkFromToIndex(from, to, up.length);
    int i = from;
    for (int bound = to - (to - from) % F.length(); i < bound; i += F.length()) {
      FloatVector g = FloatVector.fromArray(F, gate, i);
      FloatVector e = exp(g.neg());
      g.div(e.add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
    }
    for (; i < to; i++) gate[i] = ExpKernel.silu(gate[i], up[i]);
  }

  @Override
  public void expMinus(float[] x, int from, int to, float max) {
    Objects.checkFromToIndex(from, to, x.length);
    int i = from;
    for (int bound = to - (to - from) % F.length(); i < bound; i += F.length()) {
      exp(FloatVector.fromArray(F, x, i).sub(max)).intoArray(x, i);
    }
    for (; i < to; i++) x[i] = ExpKernel.expMinus(x[i], max);
  }

  /** {@link FloatExp#exp}, lane by lane. */
  private static FloatVector exp(FloatVector v) {
    FloatVector x = v.max(FloatExp.MIN_X).min(FloatExp.MAX_X);
    // j = 1.5·2^23 + k: k sits in j's low mantissa bits, so 2^k's bits need no float-to-int conversion
    // (C2 on Java 17 cannot compile that conversion for AVX2, and the whole loop then ran the Java fallback)
    FloatVector j = x.mul(FloatExp.LOG2E).add(FloatExp.ROUND);
    FloatVector k = j.sub(FloatExp.ROUND);
    FloatVector r = k.fma(FloatVector.broadcast(F, -FloatExp.LN2_HI), x);
    r = k.fma(FloatVector.broadcast(F, -FloatExp.LN2_LO), r);
    // broadcast in the loop on purpose: vectors hoisted into an array before it were boxed (3x slower)
    FloatVector p = FloatVector.broadcast(F, FloatExp.COEFFICIENTS[0]);
    for (int c = 1; c < FloatExp.COEFFICIENTS.length; c++) p = p.fma(r, FloatVector.broadcast(F, FloatExp.COEFFICIENTS[c]));
    FloatVector twoToK = j.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(twoToK);
  }

  @Override
  public String toString() {
    return "vector-" + F.vectorBitSize();
  }
}
