package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary kernel with the Vector API, in 16-bit lanes: AVX2 and AVX-512 multiply 16-bit lanes
 * natively (there is no byte multiply). One activation vector (decoding, {@link #single}): a group's 32
 * code bytes are loaded as they are and read as 16 short lanes, lane j holding code bytes 2j and 2j+1,
 * that is the eight codes of weights 2j + 32m and 2j + 1 + 32m (m = 0..3); bit pair p of every lane is
 * shifted into place and multiplied with the sixteen activations those lanes need, which
 * {@link QuantizedActivations#q16Lanes} keeps side by side ({@link QuantizedActivations#LANE_ORDER}).
 * No mask: the activations are telescoped ({@link QuantizedActivations#q16}), so the code bits above the
 * pair cancel in the lanes' wrapping 16-bit sums. A weight costs a shift, a multiply and an add, and no
 * conversion at all. Eight or more vectors (prefill, batched decoding) go to {@link VectorBatchLookupKernel},
 * which looks the weights up in tables of the batch's sums instead of multiplying (2x the throughput of the
 * loop below on the 700M shape). Two to seven vectors, or a pass's leftovers ({@link #batched}): per row,
 * four vectors share each shifted code
 * vector, with codes widened per half group and activations in natural order (measured faster there
 * than the lane order, whose twice as many activation streams per group four vectors multiply). The
 * weight {@code code-1} is never formed: Σ(code-1)·q = Σ code·q - Σ q, and Σ q per
 * segment is computed once per call. The integer sums are exact, so results equal
 * {@link ScalarTernaryKernel}'s bit for bit.
 *
 * <p>Every call checks its index ranges once, up front ({@link #checkRanges}), so that the JDK's
 * per-access checks, which C2 does not hoist out of these loops, can be turned off
 * ({@code -Dbitnet.kernel.boundsChecks=false}, {@link Kernels}).
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
  private static final VectorSpecies<Byte> HALF_GROUP = ByteVector.SPECIES_128;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  /**
   * Groups summed in short lanes before an exact reduction to int: a lane gains eight products of at
   * most 2·127 a group (quantised activations are within ±127), 2032, and 16 groups make 32512 < 2^15.
   */
  static final int FLUSH_GROUPS = 16;
  private static final int TILE = 4;
  private static final int NATURAL_FLUSH_GROUPS = 8;

  /** Batches of {@value VectorBatchLookupKernel#MIN_VECTORS} or more by {@link VectorBatchLookupKernel}. */
  private static final boolean BATCH_LOOKUP = Kernels.onOff(Kernels.BATCH_LOOKUP_PROPERTY, true);

  private final ScalarTernaryKernel scalar = new ScalarTernaryKernel();

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize();
  }

  @Override
  public boolean readsLookupTables() {
    return true;
  }

  @Override
  public void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    switch (w.layout()) {
      case ROW_BLOCKS_64 -> VectorLutKernel.matmul(w, x, out, rowStart, rowEnd);
      case ROW_BLOCKS_16 -> VectorLut128Kernel.matmul(w, x, out, rowStart, rowEnd);
      case ROW_GROUPS -> matmulRowGroups(w, x, out, rowStart, rowEnd);
    }
  }

  private static void matmulRowGroups(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    checkRanges(w, x, out, rowStart, rowEnd);
    if (x.batch == 1) {
      single(w.codes(), x.q16Lanes, x.d, w.scales(), new Layout(w, x), 0, out, rowStart, rowEnd);
    } else if (BATCH_LOOKUP && x.batch >= VectorBatchLookupKernel.MIN_VECTORS && VectorBatchLookupKernel.fits(w, x)) {
      // whole passes of the lookup kernel; a last pass too short to fill its lanes multiplies instead
      int rest = x.batch % VectorBatchLookupKernel.LANES;
      int tabled = rest < VectorBatchLookupKernel.MIN_VECTORS ? x.batch - rest : x.batch;
      VectorBatchLookupKernel.matmul(w, x, out, rowStart, rowEnd, 0, tabled);
      if (tabled < x.batch) batched(w, x, out, rowStart, rowEnd, tabled);
    } else {
      batched(w, x, out, rowStart, rowEnd, 0);
    }
  }

  /**
   * Two or more activation vectors: per row, four vectors at a time share each decoded weight vector
   * (natural order, {@link QuantizedActivations#q16}); the rest one at a time.
   */
  private static void batched(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd,
      int firstVector) {
    short[] q = x.q16;
    Layout l = new Layout(w, x);
    byte[] codes = w.codes();
    float[] scales = w.scales();
    float[] d = x.d;
    int cols = l.cols;
    int segments = l.segments;
    int[] qSums = l.qSums;
    int[] isums = new int[TILE];
    for (int r = rowStart; r < rowEnd; r++) {
      int rowBase = r * l.rowBytes;
      int rowScales = r * l.wBlocks;
      int b = firstVector;
      // four vectors of the batch at a time share each decoded weight vector
      for (; b + TILE <= x.batch; b += TILE) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int si = 0; si < segments; si++) {
          int s = si * l.segment;
          segmentSum4(codes, rowBase + s / 4, q, b * cols + s, cols, l.groupsPerSegment, isums);
          float ws = scales[rowScales + l.wScale[si]];
          int ab = l.aScale[si];
          s0 += (isums[0] - qSums[b * segments + si]) * (d[b * l.aBlocks + ab] * ws);
          s1 += (isums[1] - qSums[(b + 1) * segments + si]) * (d[(b + 1) * l.aBlocks + ab] * ws);
          s2 += (isums[2] - qSums[(b + 2) * segments + si]) * (d[(b + 2) * l.aBlocks + ab] * ws);
          s3 += (isums[3] - qSums[(b + 3) * segments + si]) * (d[(b + 3) * l.aBlocks + ab] * ws);
        }
        out[b * l.rows + r] = s0;
        out[(b + 1) * l.rows + r] = s1;
        out[(b + 2) * l.rows + r] = s2;
        out[(b + 3) * l.rows + r] = s3;
      }
      for (; b < x.batch; b++) {
        float sum = 0;
        for (int si = 0; si < segments; si++) {
          int s = si * l.segment;
          int isum = naturalSegmentSum(codes, rowBase + s / 4, q, b * cols + s, l.groupsPerSegment)
              - qSums[b * segments + si];
          sum += isum * (d[b * l.aBlocks + l.aScale[si]] * scales[rowScales + l.wScale[si]]);
        }
        out[b * l.rows + r] = sum;
      }
    }
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
      byte[] q = x.q; // the plain values: the paths' 16-bit copies are reordered and telescoped
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
          for (int k = b * cols + si * segment, e = k + segment; k < e; k++) sum += q[k];
          qSums[b * segments + si] = sum;
        }
      }
    }
  }

  /**
   * Activation vector {@code b} alone, two rows at a time: row r with row r + half of the range, so that
   * the weights stream from two places in memory at once, and each activation vector loaded serves both.
   * Measured on a 96 MiB matrix (beyond the caches), one thread: 7.8 GB/s against 6.0 for one row at a
   * time, and 7.0 for two neighbouring rows. An odd range pairs its last row with itself (computed twice,
   * stored once). The whole loop nest is one method on purpose: split into helpers, C2's inlining choices
   * cost up to 2x (measured), and a vector passed to a call that is not inlined is boxed. For the same
   * reason the bit pairs are a loop, not written out: every Vector API call site inlines a deep stack of
   * methods, and past C2's inlining budget the rest of the method runs the API's Java fallback (seen in
   * profiles of the 700M shape).
   */
  private static void single(byte[] codes, short[] q, float[] d, float[] scales, Layout l, int b, float[] out,
      int rowStart, int rowEnd) {
    int qBase = b * l.cols;
    int half = (rowEnd - rowStart + 1) / 2;
    for (int r0 = rowStart; r0 < rowStart + half; r0++) {
      int r1 = r0 + half < rowEnd ? r0 + half : r0;
      float sum0 = 0;
      float sum1 = 0;
      for (int si = 0; si < l.segments; si++) {
        int off0 = r0 * l.rowBytes + si * l.segment / 4;
        int off1 = r1 * l.rowBytes + si * l.segment / 4;
        int qOff = qBase + si * l.segment;
        int isum0 = 0;
        int isum1 = 0;
        for (int g0 = 0; g0 < l.groupsPerSegment; g0 += FLUSH_GROUPS) {
          ShortVector acc0 = ShortVector.zero(S);
          ShortVector acc1 = ShortVector.zero(S);
          int gEnd = Math.min(l.groupsPerSegment, g0 + FLUSH_GROUPS);
          for (int g = g0; g < gEnd; g++) {
            ShortVector c0 = ByteVector.fromArray(B, codes, off0 + g * TernaryMatrix.GROUP_BYTES).reinterpretAsShorts();
            ShortVector c1 = ByteVector.fromArray(B, codes, off1 + g * TernaryMatrix.GROUP_BYTES).reinterpretAsShorts();
            int a = qOff + g * TernaryMatrix.GROUP;
            for (int p = 0; p < 8; p++) {
              ShortVector x = ShortVector.fromArray(S, q, a + 16 * p);
              acc0 = acc0.add(c0.lanewise(VectorOperators.LSHR, 2 * p).mul(x));
              acc1 = acc1.add(c1.lanewise(VectorOperators.LSHR, 2 * p).mul(x));
            }
          }
          // a lane's running sum, taken modulo 2^16 like every lane operation, ends as exactly its
          // Σ code·q (the telescoped activations cancel the bits above each pair), which fits
          isum0 += total(acc0);
          isum1 += total(acc1);
        }
        float da = d[b * l.aBlocks + l.aScale[si]];
        int qSum = l.qSums[b * l.segments + si];
        sum0 += (isum0 - qSum) * (da * scales[r0 * l.wBlocks + l.wScale[si]]);
        sum1 += (isum1 - qSum) * (da * scales[r1 * l.wBlocks + l.wScale[si]]);
      }
      out[b * l.rows + r0] = sum0;
      out[b * l.rows + r1] = sum1;
    }
  }

  /**
   * Σ code·q over {@code groups} 128-weight groups for four activation vectors {@code stride} apart.
   * Each half group's 16 code bytes are widened once to 16-bit lanes (lane j holds the codes of weights
   * j, j+32, j+64, j+96; the mask undoes the sign extension); a shift brings each pair to the bottom, and
   * the telescoped activations cancel the bits above it. |code·q| <= 2·127 (quantised activations are
   * within ±127), so a lane's true sum
   * over {@value #NATURAL_FLUSH_GROUPS} groups (8 products a group) stays below 2^15, and the wrapping
   * 16-bit lane holds it exactly. Written out rather than
   * calling {@link #naturalSegmentSum}: C2 declines to inline helpers into a method this large, and a vector
   * passed to a call that is not inlined is boxed.
   */
  private static void segmentSum4(byte[] codes, int codeOff, short[] q, int qOff, int stride, int groups, int[] out) {
    int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int g0 = 0; g0 < groups; g0 += NATURAL_FLUSH_GROUPS) {
      ShortVector a0 = ShortVector.zero(S);
      ShortVector a1 = ShortVector.zero(S);
      ShortVector a2 = ShortVector.zero(S);
      ShortVector a3 = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + NATURAL_FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        for (int h = 0; h < 2; h++) {
          ShortVector c = ((ShortVector) ByteVector.fromArray(HALF_GROUP, codes, codeOff + g * TernaryMatrix.GROUP_BYTES + 16 * h)
              .convertShape(VectorOperators.B2S, S, 0)).and((short) 0xFF);
          int a = qOff + g * TernaryMatrix.GROUP + 16 * h;
          for (int l = 0; l < 4; l++) {
            ShortVector v = c.lanewise(VectorOperators.LSHR, 2 * l);
            int at = a + 32 * l;
            a0 = a0.add(v.mul(ShortVector.fromArray(S, q, at)));
            a1 = a1.add(v.mul(ShortVector.fromArray(S, q, at + stride)));
            a2 = a2.add(v.mul(ShortVector.fromArray(S, q, at + 2 * stride)));
            a3 = a3.add(v.mul(ShortVector.fromArray(S, q, at + 3 * stride)));
          }
        }
      }
      t0 += total(a0);
      t1 += total(a1);
      t2 += total(a2);
      t3 += total(a3);
    }
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
  }

  /** Σ code·q over {@code groups} consecutive 128-weight groups in natural order (see {@link #segmentSum4}). */
  private static int naturalSegmentSum(byte[] codes, int codeOff, short[] q, int qOff, int groups) {
    int total = 0;
    for (int g0 = 0; g0 < groups; g0 += NATURAL_FLUSH_GROUPS) {
      ShortVector acc = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + NATURAL_FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        for (int h = 0; h < 2; h++) {
          ShortVector c = ((ShortVector) ByteVector.fromArray(HALF_GROUP, codes, codeOff + g * TernaryMatrix.GROUP_BYTES + 16 * h)
              .convertShape(VectorOperators.B2S, S, 0)).and((short) 0xFF);
          int a = qOff + g * TernaryMatrix.GROUP + 16 * h;
          for (int l = 0; l < 4; l++) {
            ShortVector v = c.lanewise(VectorOperators.LSHR, 2 * l);
            acc = acc.add(v.mul(ShortVector.fromArray(S, q, a + 32 * l)));
          }
        }
      }
      total += total(acc);
    }
    return total;
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
    short[] q = x.batch == 1 ? x.q16Lanes : x.q16;
    if (q.length < x.batch * w.cols() || x.d.length < x.batch * (w.cols() / x.blockSize)
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
