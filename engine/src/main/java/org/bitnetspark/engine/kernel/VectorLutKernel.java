package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary product by table lookup, for {@link TernaryMatrix.Layout#ROW_BLOCKS_64} matrices: no multiply
 * at all, in the spirit of bitnet.cpp's TL1 kernels and T-MAC (Wei et al., arXiv 2407.00088), but with exact
 * sums. For each weight pair j and activation vector, {@link QuantizedActivations#lookupLow} and
 * {@link QuantizedActivations#lookupHigh} hold the nine sums {@code (c0-1)·q[2j] + (c1-1)·q[2j+1]}, biased
 * and split so that each half fits a byte. One 512-bit permute ({@code vpermb} on AVX-512 VBMI) then looks
 * up 64 rows' pair sums at once: the 64 bytes of a block step are the rows' nibble codes, and a 64-byte
 * table vector holds four pairs' 16-entry tables, the pair chosen by bits 4-5 of the index.
 *
 * <p>Exactness: lookups add up in byte lanes for {@value #FLUSH_STEPS} steps (eight lookups: low parts at
 * most 8·31 = 248, high parts 8·15 = 120), then in 16-bit lanes for a {@value TernaryMatrix#BLOCK_COLS}-weight
 * chunk: 32·high + low less the chunk's bias (128 lookups of {@link QuantizedActivations#LOOKUP_BIAS}) is the
 * chunk's sum modulo 2^16, and the true sum is within ±128·254 = ±32512, so the wrapping lane holds it
 * exactly; then in int. Results equal {@link ScalarTernaryKernel}'s bit for bit, with the same float
 * operations in the same order per segment.
 *
 * <p>Measured against {@link VectorTernaryKernel}'s two-row 16-bit kernel on an AVX-512 VBMI Xeon (in-L2
 * 512x1536 matrix, one thread, JDK 17): 2.3x with the JDK's bounds checks off, 1.6x with them on; JDK 25:
 * 2.1x. Without VBMI the permute is emulated, so {@link Kernels} repacks for it only where VBMI is present.
 */
final class VectorLutKernel {
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
  private static final int ROWS = TernaryMatrix.Layout.ROW_BLOCKS_64.blockRows();
  /** Block steps (four weights of each row) summed in byte lanes before widening. */
  static final int FLUSH_STEPS = 4;
  private static final int CHUNK_STEPS = TernaryMatrix.BLOCK_COLS / 4;

  private VectorLutKernel() {}

  /**
   * Rows [rowStart, rowEnd) of every vector of the batch. Whole blocks are computed and only the rows in
   * range stored, so any split is correct; {@link TernaryLinear} splits at block boundaries.
   */
  static void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    checkRanges(w, x, out, rowStart, rowEnd);
    byte[] codes = w.codes();
    byte[] low = x.lookupLow;
    byte[] high = x.lookupHigh;
    float[] scales = w.scales();
    int cols = w.cols();
    int quads = cols / 4;
    int tableStride = QuantizedActivations.lookupTableBytes(cols);
    int segment = Math.min(w.scaleBlockSize(), x.blockSize);
    int aBlocks = cols / x.blockSize;
    int wBlocks = w.scaleBlocksPerRow();
    // per block pair: the first block's rows in [0, 64), the second's in [64, 128), even rows then odd
    short[] chunkSums = new short[2 * ROWS];
    int[] isums = new int[2 * ROWS];
    float[] sums = new float[2 * ROWS];
    int firstBlock = rowStart / ROWS;
    int blocks = (rowEnd + ROWS - 1) / ROWS - firstBlock;
    int half = (blocks + 1) / 2;
    for (int i = 0; i < half; i++) {
      // block i with block i + half, two streams from memory (an odd count pairs its last block with itself)
      int blockA = firstBlock + i;
      int blockB = i + half < blocks ? blockA + half : blockA;
      int baseA = blockA * quads * ROWS;
      int baseB = blockB * quads * ROWS;
      for (int b = 0; b < x.batch; b++) {
        blockPair(codes, baseA, baseB, blockA, blockB, low, high, b * tableStride, x.d, b * aBlocks, x.blockSize,
            scales, w.scaleBlockSize(), wBlocks, quads, segment, chunkSums, isums, sums);
        LookupSums.store(sums, 0, blockA, ROWS, b, w.rows(), out, rowStart, rowEnd);
        LookupSums.store(sums, ROWS, blockB, ROWS, b, w.rows(), out, rowStart, rowEnd);
      }
    }
  }

  /**
   * One activation vector over a pair of blocks: sums into {@code sums} (block A's rows in [0, 64), B's in
   * [64, 128), even rows then odd). A method of its own, called once per block pair and vector, so that C2
   * compiles it from many short calls: as the body of {@link #matmul}'s loops it was compiled on-stack from
   * one long call in some JVMs, and decoding then ran a third slower (700M, one thread, 1 JVM in 3 or 4).
   */
  private static void blockPair(byte[] codes, int baseA, int baseB, int blockA, int blockB, byte[] low, byte[] high,
      int tables, float[] d, int dOff, int aBlock, float[] scales, int wBlock, int wBlocks, int quads, int segment,
      short[] chunkSums, int[] isums, float[] sums) {
    java.util.Arrays.fill(isums, 0);
    java.util.Arrays.fill(sums, 0f);
    for (int chunk = 0; chunk < quads / CHUNK_STEPS; chunk++) {
      ShortVector lowEvenA = ShortVector.zero(S);
      ShortVector lowOddA = ShortVector.zero(S);
      ShortVector highEvenA = ShortVector.zero(S);
      ShortVector highOddA = ShortVector.zero(S);
      ShortVector lowEvenB = ShortVector.zero(S);
      ShortVector lowOddB = ShortVector.zero(S);
      ShortVector highEvenB = ShortVector.zero(S);
      ShortVector highOddB = ShortVector.zero(S);
      for (int step = chunk * CHUNK_STEPS; step < (chunk + 1) * CHUNK_STEPS; step += FLUSH_STEPS) {
        ByteVector lowsA = ByteVector.zero(B);
        ByteVector highsA = ByteVector.zero(B);
        ByteVector lowsB = ByteVector.zero(B);
        ByteVector highsB = ByteVector.zero(B);
        // table z holds pairs 4z..4z+3, that is steps 2z and 2z+1
        for (int z = step / 2; z < step / 2 + FLUSH_STEPS / 2; z++) {
          ByteVector lowTable = ByteVector.fromArray(B, low, tables + z * 64);
          ByteVector highTable = ByteVector.fromArray(B, high, tables + z * 64);
          for (int h = 0; h < 2; h++) {
            // pair 4z+2h is in the low nibble (table slot 2h), pair 4z+2h+1 in the high one; blocks A and B
            // written out, not a helper: a vector passed to a call C2 does not inline is boxed
            ByteVector v = ByteVector.fromArray(B, codes, baseA + (2 * z + h) * ROWS);
            VectorShuffle<Byte> first = v.and((byte) 0x0F).or((byte) (h << 5)).toShuffle();
            VectorShuffle<Byte> second = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                .and((byte) 0x0F).or((byte) ((2 * h + 1) << 4)).toShuffle();
            lowsA = lowsA.add(lowTable.rearrange(first)).add(lowTable.rearrange(second));
            highsA = highsA.add(highTable.rearrange(first)).add(highTable.rearrange(second));
            ByteVector u = ByteVector.fromArray(B, codes, baseB + (2 * z + h) * ROWS);
            VectorShuffle<Byte> firstB = u.and((byte) 0x0F).or((byte) (h << 5)).toShuffle();
            VectorShuffle<Byte> secondB = u.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                .and((byte) 0x0F).or((byte) ((2 * h + 1) << 4)).toShuffle();
            lowsB = lowsB.add(lowTable.rearrange(firstB)).add(lowTable.rearrange(secondB));
            highsB = highsB.add(highTable.rearrange(firstB)).add(highTable.rearrange(secondB));
          }
        }
        // short lane i holds row 2i in its low byte and row 2i+1 in its high byte
        ShortVector l = lowsA.reinterpretAsShorts();
        lowEvenA = lowEvenA.add(l.and((short) 0xFF));
        lowOddA = lowOddA.add(l.lanewise(VectorOperators.LSHR, 8));
        ShortVector hs = highsA.reinterpretAsShorts();
        highEvenA = highEvenA.add(hs.and((short) 0xFF));
        highOddA = highOddA.add(hs.lanewise(VectorOperators.LSHR, 8));
        l = lowsB.reinterpretAsShorts();
        lowEvenB = lowEvenB.add(l.and((short) 0xFF));
        lowOddB = lowOddB.add(l.lanewise(VectorOperators.LSHR, 8));
        hs = highsB.reinterpretAsShorts();
        highEvenB = highEvenB.add(hs.and((short) 0xFF));
        highOddB = highOddB.add(hs.lanewise(VectorOperators.LSHR, 8));
      }
      highEvenA.lanewise(VectorOperators.LSHL, 5).add(lowEvenA).add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, 0);
      highOddA.lanewise(VectorOperators.LSHL, 5).add(lowOddA).add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS / 2);
      highEvenB.lanewise(VectorOperators.LSHL, 5).add(lowEvenB).add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS);
      highOddB.lanewise(VectorOperators.LSHL, 5).add(lowOddB).add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS + ROWS / 2);
      // widened into int sums through memory: vectors carried across this loop's branches were boxed (C2)
      LookupSums.endChunk(chunk, chunkSums, isums, sums, segment, d, dOff, aBlock, scales, wBlock, wBlocks, blockA,
          blockB, ROWS);
    }
  }

  private static void checkRanges(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    if (w.layout() != TernaryMatrix.Layout.ROW_BLOCKS_64) {
      throw new IllegalArgumentException(w.name() + ": the 512-bit lookup kernel reads 64-row blocks, not "
          + w.layout());
    }
    checkCommonRanges(w, x, out, rowStart, rowEnd);
  }

  /** What both lookup kernels need of a call: matching shapes, built tables, and arrays long enough. */
  static void checkCommonRanges(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    if (x.cols != w.cols()) {
      throw new IllegalArgumentException(w.name() + ": activations have " + x.cols + " columns, the matrix " + w.cols());
    }
    if (rowStart < 0 || rowEnd > w.rows() || rowStart > rowEnd) {
      throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + w.rows());
    }
    if (x.blockSize % TernaryMatrix.BLOCK_COLS != 0) {
      throw new IllegalArgumentException(w.name() + ": activation blocks of " + x.blockSize + " are not whole "
          + TernaryMatrix.BLOCK_COLS + "-column chunks");
    }
    if (!x.lookupTablesReady() || x.lookupLow.length < x.batch * QuantizedActivations.lookupTableBytes(w.cols())
        || out.length < x.batch * w.rows() || w.codes().length < w.rows() * (w.cols() / 4)
        || w.scales().length < w.rows() * w.scaleBlocksPerRow()) {
      throw new IllegalStateException(w.name() + ": lookup tables not built, or arrays shorter than a batch of "
          + x.batch + " needs");
    }
  }
}
