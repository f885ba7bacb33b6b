package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary kernel with the Vector API. One vector load of packed codes holds 32 (or 16)
 * consecutive weights per bit pair, matching 32 consecutive int8 activations
 * ({@link TernaryMatrix}'s layout), so the inner loop is: shift, mask, subtract 1, multiply bytes
 * (|product| <= 127 fits a byte, since activations are in [-127, 127]), then add the byte products
 * pairwise into short lanes. Short lanes are flushed to an int every 16 groups, before they could
 * overflow (16 groups x 4 bit pairs x 2 x 127 < 32767).
 *
 * <p>Float activations ({@code --activation-quant none}, a reference mode) use the scalar loop.
 */
final class VectorTernaryKernel implements TernaryKernel {
  /**
   * 32 byte lanes: one load is one 32-byte group. The species must be a plain constant: chosen by an
   * expression, C2 cannot bind the reinterpret and reduce intrinsics and falls back to Java code (10x
   * slower; seen in profiles). {@link Kernels} uses this kernel only where 256-bit vectors exist.
   */
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int FLUSH_GROUPS = 16;

  private final ScalarTernaryKernel scalar = new ScalarTernaryKernel();

  @Override
  public String name() {
    return "vector-" + B.vectorBitSize();
  }

  @Override
  public void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    int cols = w.cols();
    int rows = w.rows();
    byte[] codes = w.codes();
    float[] scales = w.scales();
    int wBlock = w.scaleBlockSize();
    int wBlocks = w.scaleBlocksPerRow();
    int aBlock = x.blockSize;
    int aBlocks = cols / aBlock;
    int segment = Math.min(wBlock, aBlock);
    int rowBytes = cols / 4;
    byte[] q = x.q;
    float[] d = x.d;
    int[] isums = new int[TILE];
    for (int r = rowStart; r < rowEnd; r++) {
      int rowBase = r * rowBytes;
      int b = 0;
      // four vectors of the batch at a time share each decoded weight vector
      for (; b + TILE <= x.batch; b += TILE) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int s = 0; s < cols; s += segment) {
          segmentSum4(codes, rowBase + s / 4, q, b * cols + s, cols, segment / TernaryMatrix.GROUP, isums);
          float ws = scales[r * wBlocks + s / wBlock];
          int ab = s / aBlock;
          s0 += isums[0] * (d[b * aBlocks + ab] * ws);
          s1 += isums[1] * (d[(b + 1) * aBlocks + ab] * ws);
          s2 += isums[2] * (d[(b + 2) * aBlocks + ab] * ws);
          s3 += isums[3] * (d[(b + 3) * aBlocks + ab] * ws);
        }
        out[b * rows + r] = s0;
        out[(b + 1) * rows + r] = s1;
        out[(b + 2) * rows + r] = s2;
        out[(b + 3) * rows + r] = s3;
      }
      for (; b < x.batch; b++) {
        int qBase = b * cols;
        float sum = 0;
        for (int s = 0; s < cols; s += segment) {
          int isum = segmentSum(codes, rowBase + s / 4, q, qBase + s, segment / TernaryMatrix.GROUP);
          sum += isum * (d[b * aBlocks + s / aBlock] * scales[r * wBlocks + s / wBlock]);
        }
        out[b * rows + r] = sum;
      }
    }
  }

  private static final int TILE = 4;

  /**
   * {@link #segmentSum} for four activation vectors {@code stride} apart, decoding each weight vector
   * once. The pair sums and totals are written out here rather than called: C2 declines to inline
   * helpers into a method this large, and a vector passed to a call that is not inlined is boxed.
   */
  private static void segmentSum4(byte[] codes, int codeOff, byte[] q, int qOff, int stride, int groups, int[] out) {
    int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int g0 = 0; g0 < groups; g0 += FLUSH_GROUPS) {
      ShortVector a0 = ShortVector.zero(S);
      ShortVector a1 = ShortVector.zero(S);
      ShortVector a2 = ShortVector.zero(S);
      ShortVector a3 = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        ByteVector c = ByteVector.fromArray(B, codes, codeOff + g * TernaryMatrix.GROUP_BYTES);
        int a = qOff + g * TernaryMatrix.GROUP;
        for (int l = 0; l < 4; l++) {
          ByteVector weight = c.lanewise(VectorOperators.LSHR, 2 * l).and((byte) 3).sub((byte) 1);
          int at = a + 32 * l;
          ShortVector p0 = weight.mul(ByteVector.fromArray(B, q, at)).reinterpretAsShorts();
          ShortVector p1 = weight.mul(ByteVector.fromArray(B, q, at + stride)).reinterpretAsShorts();
          ShortVector p2 = weight.mul(ByteVector.fromArray(B, q, at + 2 * stride)).reinterpretAsShorts();
          ShortVector p3 = weight.mul(ByteVector.fromArray(B, q, at + 3 * stride)).reinterpretAsShorts();
          a0 = a0.add(p0.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)).add(p0.lanewise(VectorOperators.ASHR, 8));
          a1 = a1.add(p1.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)).add(p1.lanewise(VectorOperators.ASHR, 8));
          a2 = a2.add(p2.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)).add(p2.lanewise(VectorOperators.ASHR, 8));
          a3 = a3.add(p3.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)).add(p3.lanewise(VectorOperators.ASHR, 8));
        }
      }
      IntVector i0 = a0.reinterpretAsInts();
      IntVector i1 = a1.reinterpretAsInts();
      IntVector i2 = a2.reinterpretAsInts();
      IntVector i3 = a3.reinterpretAsInts();
      t0 += i0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i0.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
      t1 += i1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i1.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
      t2 += i2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i2.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
      t3 += i3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i3.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
    }
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
  }

  /** acc + (low byte + high byte) of each short lane of the byte products. */
  private static ShortVector addPairs(ShortVector acc, ByteVector products) {
    ShortVector pairs = products.reinterpretAsShorts();
    return acc.add(pairs.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8))
        .add(pairs.lanewise(VectorOperators.ASHR, 8));
  }

  /** The sum of all short lanes, exactly (via int pairs). */
  private static int total(ShortVector acc) {
    IntVector ints = acc.reinterpretAsInts();
    return ints.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
        .add(ints.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
  }

  /** Σ (code-1)·q over {@code groups} consecutive 128-weight groups. */
  private static int segmentSum(byte[] codes, int codeOff, byte[] q, int qOff, int groups) {
    int total = 0;
    for (int g0 = 0; g0 < groups; g0 += FLUSH_GROUPS) {
      ShortVector acc = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        ByteVector c = ByteVector.fromArray(B, codes, codeOff + g * TernaryMatrix.GROUP_BYTES);
        int a0 = qOff + g * TernaryMatrix.GROUP;
        for (int l = 0; l < 4; l++) {
          ByteVector weight = c.lanewise(VectorOperators.LSHR, 2 * l).and((byte) 3).sub((byte) 1);
          acc = addPairs(acc, weight.mul(ByteVector.fromArray(B, q, a0 + 32 * l)));
        }
      }
      total += total(acc);
    }
    return total;
  }

  @Override
  public void matmulFloat(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
    scalar.matmulFloat(w, x, batch, out, rowStart, rowEnd);
  }
}
