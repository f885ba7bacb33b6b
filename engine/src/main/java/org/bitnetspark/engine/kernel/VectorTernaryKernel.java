package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary kernel with the Vector API, in 16-bit lanes: AVX2 and AVX-512 multiply 16-bit lanes
 * natively (there is no byte multiply), so the codes are widened once per half group and each weight
 * costs a shift, a mask, a multiply and an add, with no widening of products. The weight {@code code-1}
 * is never formed: Σ(code-1)·q = Σ code·q - Σ q, and Σ q per segment is computed once per call from the
 * activations. The integer sums are exact, so results equal {@link ScalarTernaryKernel}'s bit for bit.
 *
 * <p>Float activations ({@code --activation-quant none}, a reference mode) use the scalar loop.
 */
final class VectorTernaryKernel implements TernaryKernel {
  /**
   * 16 code bytes (half a group) widen to 16 short lanes. The species must be plain constants: chosen
   * by an expression, C2 cannot bind the conversion, reinterpret and reduce intrinsics and falls back to
   * Java code (10x slower; seen in profiles). {@link Kernels} uses this kernel only where 256-bit
   * vectors exist.
   */
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final int FLUSH_GROUPS = 8;

  private final ScalarTernaryKernel scalar = new ScalarTernaryKernel();

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize();
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
    int segments = cols / segment;
    int rowBytes = cols / 4;
    short[] q = x.q16;
    float[] d = x.d;
    // Σ (code-1)·q = Σ code·q - Σ q: the second sum depends on the activations only
    int[] qSums = new int[x.batch * segments];
    for (int b = 0; b < x.batch; b++) {
      for (int s = 0; s < segments; s++) {
        int sum = 0;
        for (int k = b * cols + s * segment, e = k + segment; k < e; k++) sum += q[k];
        qSums[b * segments + s] = sum;
      }
    }
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
          int si = s / segment;
          s0 += (isums[0] - qSums[b * segments + si]) * (d[b * aBlocks + ab] * ws);
          s1 += (isums[1] - qSums[(b + 1) * segments + si]) * (d[(b + 1) * aBlocks + ab] * ws);
          s2 += (isums[2] - qSums[(b + 2) * segments + si]) * (d[(b + 2) * aBlocks + ab] * ws);
          s3 += (isums[3] - qSums[(b + 3) * segments + si]) * (d[(b + 3) * aBlocks + ab] * ws);
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
          int isum = segmentSum(codes, rowBase + s / 4, q, qBase + s, segment / TernaryMatrix.GROUP)
              - qSums[b * segments + s / segment];
          sum += isum * (d[b * aBlocks + s / aBlock] * scales[r * wBlocks + s / wBlock]);
        }
        out[b * rows + r] = sum;
      }
    }
  }

  private static final int TILE = 4;

  /**
   * Σ code·q over {@code groups} 128-weight groups for four activation vectors {@code stride} apart.
   * Each half group's 16 code bytes are widened once to 16-bit lanes (lane j holds the codes of weights
   * j, j+32, j+64, j+96); a shift and a mask give one weight per lane, multiplied in 16-bit lanes with
   * the widened activations. |code·q| <= 2·127 (quantised activations are within ±127), so a lane's sum
   * over {@value #FLUSH_GROUPS} groups (8 products a group) stays far below 2^15. Written out rather than
   * calling {@link #segmentSum}: C2 declines to inline helpers into a method this large, and a vector
   * passed to a call that is not inlined is boxed.
   */
  private static void segmentSum4(byte[] codes, int codeOff, short[] q, int qOff, int stride, int groups, int[] out) {
    int t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int g0 = 0; g0 < groups; g0 += FLUSH_GROUPS) {
      ShortVector a0 = ShortVector.zero(S);
      ShortVector a1 = ShortVector.zero(S);
      ShortVector a2 = ShortVector.zero(S);
      ShortVector a3 = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        for (int h = 0; h < 2; h++) {
          ShortVector c = (ShortVector) ByteVector.fromArray(B16, codes, codeOff + g * TernaryMatrix.GROUP_BYTES + 16 * h)
              .convertShape(VectorOperators.B2S, S, 0);
          int a = qOff + g * TernaryMatrix.GROUP + 16 * h;
          for (int l = 0; l < 4; l++) {
            ShortVector v = c.lanewise(VectorOperators.LSHR, 2 * l).and((short) 3);
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

  /** The sum of all short lanes, exactly (via int pairs). */
  private static int total(ShortVector acc) {
    IntVector ints = acc.reinterpretAsInts();
    return ints.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
        .add(ints.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
  }

  /** Σ code·q over {@code groups} consecutive 128-weight groups (see {@link #segmentSum4}). */
  private static int segmentSum(byte[] codes, int codeOff, short[] q, int qOff, int groups) {
    int total = 0;
    for (int g0 = 0; g0 < groups; g0 += FLUSH_GROUPS) {
      ShortVector acc = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        for (int h = 0; h < 2; h++) {
          ShortVector c = (ShortVector) ByteVector.fromArray(B16, codes, codeOff + g * TernaryMatrix.GROUP_BYTES + 16 * h)
              .convertShape(VectorOperators.B2S, S, 0);
          int a = qOff + g * TernaryMatrix.GROUP + 16 * h;
          for (int l = 0; l < 4; l++) {
            ShortVector v = c.lanewise(VectorOperators.LSHR, 2 * l).and((short) 3);
            acc = acc.add(v.mul(ShortVector.fromArray(S, q, a + 32 * l)));
          }
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
