package org.bitnetspark.engine.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.quant.Float16;

/**
 * {@link FloatDot} with the Vector API: four independent fused multiply-add chains of eight floats (one
 * chain would wait on the FMA latency every step), then a pairwise lane sum; what is left after the last
 * whole round of 32 goes through a scalar loop. The lanes are summed by {@link FloatLanes}, in a fixed order.
 *
 * <p>The species are plain 256-bit constants, as in {@link VectorTernaryKernel}: species derived by an
 * expression left C2 unable to bind the conversions (the fused half product ran the API's Java fallback,
 * several times slower, seen with {@code -XX:+PrintInlining}), and 512-bit lanes were no faster here.
 */
final class VectorFloatDot implements FloatDot {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Short> H = ShortVector.SPECIES_128;
  private static final int L = 8;
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
    float sum = FloatLanes.sum(acc0.add(acc1).add(acc2.add(acc3)));
    for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
    return sum;
  }

  /**
   * Four vectors at a time, then one: see {@link #tile} and {@link #dot2}. {@code dot}'s products commute
   * (a fused multiply-add and a product round the same whichever factor comes first), so a vector against two
   * rows is {@link #dot2} with the roles swapped.
   */
  @Override
  public void dot2Rows(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int vectors, int n,
      float[] out, int outOff, int outStride) {
    // once per call, for when the JDK's per-access checks are off (Kernels)
    Objects.checkFromIndexSize(aOff, Math.addExact(aStride, n), a.length);
    if (vectors > 0) Objects.checkFromIndexSize(bOff, Math.addExact(Math.multiplyExact(vectors - 1, bStride), n), b.length);
    if (vectors > 0) Objects.checkFromIndexSize(outOff, Math.multiplyExact(vectors - 1, outStride) + 2, out.length);
    int v = 0;
    if (vectors >= TILE_VECTORS) {
      float[] chains = CHAINS.get();
      for (; v + TILE_VECTORS <= vectors; v += TILE_VECTORS) {
        tile(a, aOff, aStride, b, bOff + v * bStride, bStride, n, out, outOff + v * outStride, outStride, chains);
      }
    }
    for (; v < vectors; v++) {
      dot2(b, bOff + v * bStride, a, aOff, aOff + aStride, n, out, outOff + v * outStride, outOff + v * outStride + 1);
    }
  }

  /** Vectors per {@link #tile}: with two rows, eight accumulators, two row chunks and a vector chunk in registers. */
  private static final int TILE_VECTORS = 4;
  /**
   * Where {@link #tile} parks its chains, per thread: allocated per call (1 KB, every two rows of a head), the
   * head ran 1.4x slower, each call's stores landing in memory not yet in the cache (harness, 700M head).
   */
  private static final ThreadLocal<float[]> CHAINS = ThreadLocal.withInitial(() -> new float[2 * TILE_VECTORS * 4 * L]);

  /**
   * Two rows against four vectors, each of the eight sums {@link #dot}'s bit for bit. {@code dot} runs four chains
   * of fused multiply-adds, chain c taking the chunks c, c+4, c+8, ...; this takes the chains one after another
   * (chain c of all eight sums, in registers), parks each chain's accumulators in {@code chains}, and adds them up
   * at the end as {@code dot} does. Eight sums with four chains each would need 32 registers; in turns they need
   * eight, and every row chunk loaded serves four products and every vector chunk two: against {@link #dot2}'s
   * one row and two vectors (a row chunk serves two, a vector chunk one), 0.79-0.83 against 1.03-1.05 ns per
   * 256-bit multiply-add (harness: the 700M shape's head of 32000 rows, 16 vectors, one thread; Zen 1).
   */
  private static void tile(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int n, float[] out,
      int outOff, int outStride, float[] chains) {
    int whole = n - n % (4 * L);
    int a0 = aOff;
    int a1 = aOff + aStride;
    int x0 = bOff;
    int x1 = bOff + bStride;
    int x2 = bOff + 2 * bStride;
    int x3 = bOff + 3 * bStride;
    for (int c = 0; c < 4; c++) {
      FloatVector s00 = FloatVector.zero(F);
      FloatVector s01 = FloatVector.zero(F);
      FloatVector s02 = FloatVector.zero(F);
      FloatVector s03 = FloatVector.zero(F);
      FloatVector s10 = FloatVector.zero(F);
      FloatVector s11 = FloatVector.zero(F);
      FloatVector s12 = FloatVector.zero(F);
      FloatVector s13 = FloatVector.zero(F);
      for (int i = c * L; i < whole; i += 4 * L) {
        FloatVector w0 = FloatVector.fromArray(F, a, a0 + i);
        FloatVector w1 = FloatVector.fromArray(F, a, a1 + i);
        FloatVector x = FloatVector.fromArray(F, b, x0 + i);
        s00 = w0.fma(x, s00);
        s10 = w1.fma(x, s10);
        x = FloatVector.fromArray(F, b, x1 + i);
        s01 = w0.fma(x, s01);
        s11 = w1.fma(x, s11);
        x = FloatVector.fromArray(F, b, x2 + i);
        s02 = w0.fma(x, s02);
        s12 = w1.fma(x, s12);
        x = FloatVector.fromArray(F, b, x3 + i);
        s03 = w0.fma(x, s03);
        s13 = w1.fma(x, s13);
      }
      // sum (j, v)'s chain c at ((j·4 + v)·4 + c)·L
      int at = c * L;
      s00.intoArray(chains, at);
      s01.intoArray(chains, at + 4 * L);
      s02.intoArray(chains, at + 8 * L);
      s03.intoArray(chains, at + 12 * L);
      s10.intoArray(chains, at + 16 * L);
      s11.intoArray(chains, at + 20 * L);
      s12.intoArray(chains, at + 24 * L);
      s13.intoArray(chains, at + 28 * L);
    }
    for (int j = 0; j < 2; j++) {
      for (int v = 0; v < TILE_VECTORS; v++) {
        int at = (j * TILE_VECTORS + v) * 4 * L;
        FloatVector c0 = FloatVector.fromArray(F, chains, at);
        FloatVector c1 = FloatVector.fromArray(F, chains, at + L);
        FloatVector c2 = FloatVector.fromArray(F, chains, at + 2 * L);
        FloatVector c3 = FloatVector.fromArray(F, chains, at + 3 * L);
        float sum = FloatLanes.sum(c0.add(c1).add(c2.add(c3)));
        int row = aOff + j * aStride;
        int vector = bOff + v * bStride;
        for (int k = whole; k < n; k++) sum += a[row + k] * b[vector + k];
        out[outOff + v * outStride + j] = sum;
      }
    }
  }

  /**
   * {@link #dot} for two vectors at once: each keeps its own four chains, which take the same steps as in
   * {@link #dot}, so each sum is {@code dot}'s; every chunk of {@code a} is loaded once for both (eight
   * accumulators, the chunk of {@code a} and a vector chunk fit AVX2's sixteen registers). Its one caller,
   * {@link #dot2Rows}, has checked every range it reads and writes.
   */
  private static void dot2(float[] a, int aOff, float[] b, int b0, int b1, int n, float[] out, int out0, int out1) {
    FloatVector p0 = FloatVector.zero(F);
    FloatVector p1 = FloatVector.zero(F);
    FloatVector p2 = FloatVector.zero(F);
    FloatVector p3 = FloatVector.zero(F);
    FloatVector q0 = FloatVector.zero(F);
    FloatVector q1 = FloatVector.zero(F);
    FloatVector q2 = FloatVector.zero(F);
    FloatVector q3 = FloatVector.zero(F);
    int i = 0;
    for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
      FloatVector w = FloatVector.fromArray(F, a, aOff + i);
      p0 = w.fma(FloatVector.fromArray(F, b, b0 + i), p0);
      q0 = w.fma(FloatVector.fromArray(F, b, b1 + i), q0);
      w = FloatVector.fromArray(F, a, aOff + i + L);
      p1 = w.fma(FloatVector.fromArray(F, b, b0 + i + L), p1);
      q1 = w.fma(FloatVector.fromArray(F, b, b1 + i + L), q1);
      w = FloatVector.fromArray(F, a, aOff + i + 2 * L);
      p2 = w.fma(FloatVector.fromArray(F, b, b0 + i + 2 * L), p2);
      q2 = w.fma(FloatVector.fromArray(F, b, b1 + i + 2 * L), q2);
      w = FloatVector.fromArray(F, a, aOff + i + 3 * L);
      p3 = w.fma(FloatVector.fromArray(F, b, b0 + i + 3 * L), p3);
      q3 = w.fma(FloatVector.fromArray(F, b, b1 + i + 3 * L), q3);
    }
    float s0 = FloatLanes.sum(p0.add(p1).add(p2.add(p3)));
    float s1 = FloatLanes.sum(q0.add(q1).add(q2.add(q3)));
    for (int k = i; k < n; k++) s0 += a[aOff + k] * b[b0 + k];
    for (int k = i; k < n; k++) s1 += a[aOff + k] * b[b1 + k];
    out[out0] = s0;
    out[out1] = s1;
  }

  /**
   * {@link #dot}'s sums, with {@code a} decoded from halves as {@link VectorHalfDecoder#decodeScaled}
   * does (sign-extended, shifted left 13, masked). One conversion site, the four chains taking turns: C2
   * inlines the conversion's deep stack of Vector API calls once, where four written-out copies sometimes
   * passed its inlining budget and ran the API's Java fallback (a 2B-4T head at a third of its speed).
   * After each whole round of four the chains are back in place, so the sums are {@link #dot}'s. The two
   * methods keep their own loops on purpose: a shared loop taking "how to load a" as a function would pass
   * vectors through calls C2 does not inline, and box them.
   */
  @Override
  public float dotScaledHalves(short[] h, int hOff, float[] x, int xOff, int n) {
    Objects.checkFromIndexSize(hOff, n, h.length);
    Objects.checkFromIndexSize(xOff, n, x.length);
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    FloatVector acc2 = FloatVector.zero(F);
    FloatVector acc3 = FloatVector.zero(F);
    int i = 0;
    for (int bound = n - n % (4 * L); i < bound; i += L) {
      FloatVector w = ((IntVector) ShortVector.fromArray(H, h, hOff + i).convertShape(VectorOperators.S2I, I, 0))
          .lanewise(VectorOperators.LSHL, 13).and(VectorHalfDecoder.SCALED_BITS_MASK).reinterpretAsFloats();
      FloatVector next = w.fma(FloatVector.fromArray(F, x, xOff + i), acc0);
      acc0 = acc1;
      acc1 = acc2;
      acc2 = acc3;
      acc3 = next;
    }
    float sum = FloatLanes.sum(acc0.add(acc1).add(acc2.add(acc3)));
    for (; i < n; i++) sum += Float16.toFloat(h[hOff + i]) * HalfDecoder.SCALE * x[xOff + i];
    return sum;
  }

  /**
   * Four vectors of columns at a time, their sums kept in registers across all rows (the plain loop loads
   * and stores every output once per row); then single vectors, then a scalar tail. Multiply, then add:
   * the scalar reference's rounding, lane by lane.
   */
  @Override
  public void vectorTimesMatrix(float[] a, int aOff, int rows, float[] m, int mOff, int stride, int cols,
      float[] out, int outOff) {
    if (!checkProduct(a, aOff, rows, m.length, mOff, stride, cols, out, outOff)) return;
    int c = 0;
    for (; c + 4 * L <= cols; c += 4 * L) {
      FloatVector acc0 = FloatVector.zero(F);
      FloatVector acc1 = FloatVector.zero(F);
      FloatVector acc2 = FloatVector.zero(F);
      FloatVector acc3 = FloatVector.zero(F);
      for (int r = 0, at = mOff + c; r < rows; r++, at += stride) {
        FloatVector w = FloatVector.broadcast(F, a[aOff + r]);
        acc0 = acc0.add(FloatVector.fromArray(F, m, at).mul(w));
        acc1 = acc1.add(FloatVector.fromArray(F, m, at + L).mul(w));
        acc2 = acc2.add(FloatVector.fromArray(F, m, at + 2 * L).mul(w));
        acc3 = acc3.add(FloatVector.fromArray(F, m, at + 3 * L).mul(w));
      }
      acc0.intoArray(out, outOff + c);
      acc1.intoArray(out, outOff + c + L);
      acc2.intoArray(out, outOff + c + 2 * L);
      acc3.intoArray(out, outOff + c + 3 * L);
    }
    for (; c + L <= cols; c += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int r = 0, at = mOff + c; r < rows; r++, at += stride) {
        acc = acc.add(FloatVector.fromArray(F, m, at).mul(FloatVector.broadcast(F, a[aOff + r])));
      }
      acc.intoArray(out, outOff + c);
    }
    for (; c < cols; c++) {
      float sum = 0;
      for (int r = 0, at = mOff + c; r < rows; r++, at += stride) sum += a[aOff + r] * m[at];
      out[outOff + c] = sum;
    }
  }

  /**
   * Two vectors of columns at a time, their sums in registers across all rows; each half widened, shifted
   * and masked to its value times 2^-112, times the row's {@code a·2^112}; then a scalar tail. Two conversion
   * sites, not four: each inlines a deep stack of Vector API methods, and past C2's inlining budget the rest
   * of a method runs the API's Java fallback.
   */
  @Override
  public void vectorTimesHalfMatrix(float[] a, int aOff, int rows, short[] m, int mOff, int stride, int cols,
      float[] out, int outOff) {
    if (!checkProduct(a, aOff, rows, m.length, mOff, stride, cols, out, outOff)) return;
    int c = 0;
    for (; c + 2 * L <= cols; c += 2 * L) {
      FloatVector acc0 = FloatVector.zero(F);
      FloatVector acc1 = FloatVector.zero(F);
      for (int r = 0, at = mOff + c; r < rows; r++, at += stride) {
        FloatVector w = FloatVector.broadcast(F, a[aOff + r] * HalfDecoder.UNSCALE);
        acc0 = acc0.add(scaledHalves(m, at).mul(w));
        acc1 = acc1.add(scaledHalves(m, at + L).mul(w));
      }
      acc0.intoArray(out, outOff + c);
      acc1.intoArray(out, outOff + c + L);
    }
    for (; c < cols; c++) {
      float sum = 0;
      for (int r = 0, at = mOff + c; r < rows; r++, at += stride) sum += a[aOff + r] * Float16.toFloat(m[at]);
      out[outOff + c] = sum;
    }
  }

  /**
   * The ranges a vector-times-matrix call reads and writes, checked once (for when the JDK's per-access checks
   * are off); false, with the output zeroed, when there are no rows or no columns.
   */
  private static boolean checkProduct(float[] a, int aOff, int rows, int matrixLength, int mOff, int stride, int cols,
      float[] out, int outOff) {
    Objects.checkFromIndexSize(aOff, rows, a.length);
    Objects.checkFromIndexSize(outOff, cols, out.length);
    if (rows == 0 || cols == 0) {
      java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
      return false;
    }
    Objects.checkFromIndexSize(mOff, Math.addExact(Math.multiplyExact(rows - 1, stride), cols), matrixLength);
    return true;
  }

  /** Eight halves as their values times 2^-112 ({@link HalfDecoder#decodeScaled}). */
  private static FloatVector scaledHalves(short[] h, int at) {
    return ((IntVector) ShortVector.fromArray(H, h, at).convertShape(VectorOperators.S2I, I, 0))
        .lanewise(VectorOperators.LSHL, 13).and(VectorHalfDecoder.SCALED_BITS_MASK).reinterpretAsFloats();
  }

}
