package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
  /** 32 byte lanes where the CPU has 256-bit vectors, else 16: a 32-byte group is one or two loads. */
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 256
      ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
  private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(B.vectorBitSize()));
  private static final int LOADS_PER_GROUP = TernaryMatrix.GROUP_BYTES / B.length();
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
    for (int r = rowStart; r < rowEnd; r++) {
      int rowBase = r * rowBytes;
      for (int b = 0; b < x.batch; b++) {
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

  /** Σ (code-1)·q over {@code groups} consecutive 128-weight groups. */
  private static int segmentSum(byte[] codes, int codeOff, byte[] q, int qOff, int groups) {
    int total = 0;
    for (int g0 = 0; g0 < groups; g0 += FLUSH_GROUPS) {
      ShortVector acc = ShortVector.zero(S);
      int gEnd = Math.min(groups, g0 + FLUSH_GROUPS);
      for (int g = g0; g < gEnd; g++) {
        for (int h = 0; h < LOADS_PER_GROUP; h++) {
          int c0 = codeOff + g * TernaryMatrix.GROUP_BYTES + h * B.length();
          int a0 = qOff + g * TernaryMatrix.GROUP + h * B.length();
          ByteVector c = ByteVector.fromArray(B, codes, c0);
          for (int l = 0; l < 4; l++) {
            ByteVector weight = c.lanewise(VectorOperators.LSHR, 2 * l).and((byte) 3).sub((byte) 1);
            ByteVector product = weight.mul(ByteVector.fromArray(B, q, a0 + 32 * l));
            ShortVector pairs = product.reinterpretAsShorts();
            // low byte (sign-extended) + high byte of each short lane
            acc = acc.add(pairs.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8))
                .add(pairs.lanewise(VectorOperators.ASHR, 8));
          }
        }
      }
      IntVector ints = acc.reinterpretAsInts();
      total += ints.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
          .add(ints.lanewise(VectorOperators.ASHR, 16)).reduceLanes(VectorOperators.ADD);
    }
    return total;
  }

  @Override
  public void matmulFloat(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
    scalar.matmulFloat(w, x, batch, out, rowStart, rowEnd);
  }
}
