package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary kernel with the Vector API, in 16-bit lanes: AVX2 and AVX-512 multiply 16-bit lanes
 * natively (there is no byte multiply). A group's 32 code bytes are loaded as they are and read as 16
 * short lanes, lane j holding code bytes 2j and 2j+1, that is the eight codes of weights 2j + 32m and
 * 2j + 1 + 32m (m = 0..3); bit pair p of every lane is taken with one shift and one mask, and multiplied
 * with the sixteen activations those lanes need, which {@link QuantizedActivations#q16} keeps side by
 * side ({@link QuantizedActivations#LANE_ORDER}). So a weight costs a shift, a mask, a multiply and an add, and no
 * conversion at all. The weight {@code code-1} is never formed: Σ(code-1)·q = Σ code·q - Σ q, and Σ q per
 * segment is computed once per call. The integer sums are exact, so results equal
 * {@link ScalarTernaryKernel}'s bit for bit.
 *
 * <p>Every call checks its index ranges once, up front ({@link #checkRanges}): {@link Kernels} asks the
 * JDK to skip its per-access checks, which C2 does not hoist out of these loops (they halved the speed).
 *
 * <p>Float activations ({@code --activation-quant none}, a reference mode) use the scalar loop.
 */
final class VectorTernaryKernel implements TernaryKernel {
  /**
   * The species must be plain constants: chosen by an expression, C2 cannot bind the reinterpret and
   * reduce intrinsics and falls back to Java code (10x slower; seen in profiles). {@link Kernels} uses
   * this kernel only where 256-bit vectors exist.
   */
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  /**
   * Groups summed in short lanes before an exact reduction to int: a lane gains eight products of at
   * most 2·127 a group (quantised activations are within ±127), 2032, and 16 groups make 32512 < 2^15.
   */
  static final int FLUSH_GROUPS = 16;
  private static final int TILE = 4;

  private final ScalarTernaryKernel scalar = new ScalarTernaryKernel();

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize();
  }

  @Override
  public void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    checkRanges(w, x, out, rowStart, rowEnd);
    Layout l = new Layout(w, x);
    int b = 0;
    for (; b + TILE <= x.batch; b += TILE) tile(w.codes(), x.q16, x.d, w.scales(), l, b, out, rowStart, rowEnd);
    // the rest one by one: each a pass over these rows' weights, but at most three
    for (; b < x.batch; b++) single(w.codes(), x.q16, x.d, w.scales(), l, b, out, rowStart, rowEnd);
  }

  /**
   * What the loops need to know about one call: the segments (where both the weight scale and the
   * activation scale are constant), their scale indices (so that the row loops divide nothing), and
   * Σ q per vector and segment (Σ (code-1)·q = Σ code·q - Σ q: the second sum depends on the
   * activations only).
   */
  private static final class Layout {
    final int cols;
    final int rows;
    final int rowBytes;
    final int wBlocks;
    final int aBlocks;
    final int segment;
    final int segments;
    final int groupsPerSegment;
    final int[] wScale;
    final int[] aScale;
    final int[] qSums;

    Layout(TernaryMatrix w, QuantizedActivations x) {
      cols = w.cols();
      rows = w.rows();
      rowBytes = cols / 4;
      wBlocks = w.scaleBlocksPerRow();
      aBlocks = cols / x.blockSize;
      segment = Math.min(w.scaleBlockSize(), x.blockSize);
      segments = cols / segment;
      groupsPerSegment = segment / TernaryMatrix.GROUP;
      wScale = new int[segments];
      aScale = new int[segments];
      for (int si = 0; si < segments; si++) {
        wScale[si] = si * segment / w.scaleBlockSize();
        aScale[si] = si * segment / x.blockSize;
      }
      qSums = new int[x.batch * segments];
      for (int b = 0; b < x.batch; b++) {
        for (int si = 0; si < segments; si++) {
          int sum = 0;
          for (int k = b * cols + si * segment, e = k + segment; k < e; k++) sum += x.q16[k];
          qSums[b * segments + si] = sum;
        }
      }
    }
  }

  /**
   * Activation vector {@code b} alone. The whole loop nest is one method on purpose: split into
   * helpers, C2's inlining choices cost up to 2x (measured), and a vector passed to a call that is not
   * inlined is boxed. For the same reason the bit pairs are a loop, not written out: every Vector API
   * call site inlines a deep stack of methods, and past C2's inlining budget the rest of the method runs
   * the API's Java fallback (seen in profiles of the 700M shape). Two accumulators, so that consecutive
   * adds do not wait on each other.
   */
  private static void single(byte[] codes, short[] q, float[] d, float[] scales, Layout l, int b, float[] out,
      int rowStart, int rowEnd) {
    int qBase = b * l.cols;
    for (int r = rowStart; r < rowEnd; r++) {
      float sum = 0;
      for (int si = 0; si < l.segments; si++) {
        int codeOff = r * l.rowBytes + si * l.segment / 4;
        int qOff = qBase + si * l.segment;
        int isum = 0;
        for (int g0 = 0; g0 < l.groupsPerSegment; g0 += FLUSH_GROUPS) {
          ShortVector even = ShortVector.zero(S);
          ShortVector odd = ShortVector.zero(S);
          int gEnd = Math.min(l.groupsPerSegment, g0 + FLUSH_GROUPS);
          for (int g = g0; g < gEnd; g++) {
            ShortVector c = ByteVector.fromArray(B, codes, codeOff + g * TernaryMatrix.GROUP_BYTES).reinterpretAsShorts();
            int a = qOff + g * TernaryMatrix.GROUP;
            for (int p = 0; p < 8; p += 2) {
              even = even.add(c.lanewise(VectorOperators.LSHR, 2 * p).and((short) 3).mul(ShortVector.fromArray(S, q, a + 16 * p)));
              odd = odd.add(c.lanewise(VectorOperators.LSHR, 2 * p + 2).and((short) 3)
                  .mul(ShortVector.fromArray(S, q, a + 16 * p + 16)));
            }
          }
          // each holds at most half of FLUSH_GROUPS' bound, so their sum still fits
          isum += total(even.add(odd));
        }
        isum -= l.qSums[b * l.segments + si];
        sum += isum * (d[b * l.aBlocks + l.aScale[si]] * scales[r * l.wBlocks + l.wScale[si]]);
      }
      out[b * l.rows + r] = sum;
    }
  }

  /**
   * Activation vectors b .. b+3 together: each decoded bit pair is multiplied with all four. One
   * method for the same reason as {@link #single}.
   */
  private static void tile(byte[] codes, short[] q, float[] d, float[] scales, Layout l, int b, float[] out,
      int rowStart, int rowEnd) {
    int cols = l.cols;
    int qBase = b * cols;
    int[] qSums = l.qSums;
    int segments = l.segments;
    for (int r = rowStart; r < rowEnd; r++) {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int si = 0; si < segments; si++) {
        int codeOff = r * l.rowBytes + si * l.segment / 4;
        int qOff = qBase + si * l.segment;
        int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (int g0 = 0; g0 < l.groupsPerSegment; g0 += FLUSH_GROUPS) {
          ShortVector a0 = ShortVector.zero(S);
          ShortVector a1 = ShortVector.zero(S);
          ShortVector a2 = ShortVector.zero(S);
          ShortVector a3 = ShortVector.zero(S);
          int gEnd = Math.min(l.groupsPerSegment, g0 + FLUSH_GROUPS);
          for (int g = g0; g < gEnd; g++) {
            ShortVector c = ByteVector.fromArray(B, codes, codeOff + g * TernaryMatrix.GROUP_BYTES).reinterpretAsShorts();
            int a = qOff + g * TernaryMatrix.GROUP;
            for (int p = 0; p < 8; p++) {
              ShortVector v = c.lanewise(VectorOperators.LSHR, 2 * p).and((short) 3);
              int at = a + 16 * p;
              a0 = a0.add(v.mul(ShortVector.fromArray(S, q, at)));
              a1 = a1.add(v.mul(ShortVector.fromArray(S, q, at + cols)));
              a2 = a2.add(v.mul(ShortVector.fromArray(S, q, at + 2 * cols)));
              a3 = a3.add(v.mul(ShortVector.fromArray(S, q, at + 3 * cols)));
            }
          }
          t0 += total(a0);
          t1 += total(a1);
          t2 += total(a2);
          t3 += total(a3);
        }
        float ws = scales[r * l.wBlocks + l.wScale[si]];
        int ab = l.aScale[si];
        s0 += (t0 - qSums[b * segments + si]) * (d[b * l.aBlocks + ab] * ws);
        s1 += (t1 - qSums[(b + 1) * segments + si]) * (d[(b + 1) * l.aBlocks + ab] * ws);
        s2 += (t2 - qSums[(b + 2) * segments + si]) * (d[(b + 2) * l.aBlocks + ab] * ws);
        s3 += (t3 - qSums[(b + 3) * segments + si]) * (d[(b + 3) * l.aBlocks + ab] * ws);
      }
      out[b * l.rows + r] = s0;
      out[(b + 1) * l.rows + r] = s1;
      out[(b + 2) * l.rows + r] = s2;
      out[(b + 3) * l.rows + r] = s3;
    }
  }

  /**
   * The ranges every vector access below stays within, checked once per call (the loops only index
   * whole groups of rows in [rowStart, rowEnd) and whole activation vectors of the batch).
   */
  private static void checkRanges(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    if (x.cols != w.cols()) {
      throw new IllegalArgumentException(w.name() + ": activations have " + x.cols + " columns, the matrix " + w.cols());
    }
    if (rowStart < 0 || rowEnd > w.rows() || rowStart > rowEnd) {
      throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + w.rows());
    }
    if (x.q16.length < x.batch * w.cols() || x.d.length < x.batch * (w.cols() / x.blockSize)
        || out.length < x.batch * w.rows() || w.codes().length < w.rows() * (w.cols() / 4)) {
      throw new IndexOutOfBoundsException(w.name() + ": arrays shorter than a batch of " + x.batch + " needs");
    }
  }

  /** The sum of all short lanes, exactly (via int pairs). */
  private static int total(ShortVector acc) {
    IntVector ints = acc.reinterpretAsInts();
    return ints.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
        .add(ints.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void matmulFloat(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
    scalar.matmulFloat(w, x, batch, out, rowStart, rowEnd);
  }
}
