package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The table-lookup ternary product with 128-bit byte shuffles ({@code vpshufb}, one instruction on every
 * AVX2 CPU), for {@link TernaryMatrix.Layout#ROW_BLOCKS_16} matrices: the tables of
 * {@link VectorLutKernel} (one 16-entry table per weight pair, its nine pair sums biased and split into
 * a low and a high byte), looked up for 16 rows at once. A block step is a weight quad of a block's 16
 * rows: one 16-byte code vector, whose low nibbles index pair 2m's tables and high nibbles pair 2m+1's.
 * Two blocks, A and B, from two places in memory are summed together (two streams, as in {@link
 * VectorLutKernel}), sharing each table vector loaded. Per 32 rows and four weights: eight shuffles and
 * eight byte adds, against sixteen 256-bit shift-multiply-adds for {@link VectorTernaryKernel}'s 16-bit
 * kernel.
 *
 * <p>Exactness: the lookups add up in byte lanes for {@value #FLUSH_STEPS} steps (eight lookups: low parts
 * at most 8·31 = 248, high parts 8·15 = 120, both unsigned), then as {@code 32·high + low} in 16-bit lanes
 * for a {@value TernaryMatrix#BLOCK_COLS}-weight chunk, less the chunk's bias ({@link
 * LookupSums#CHUNK_BIAS}): the chunk's sum modulo 2^16, whose true value is within ±32512 and so held
 * exactly; then in int. Results equal {@link ScalarTernaryKernel}'s bit for bit, with the same float
 * operations in the same order per segment.
 *
 * <p>Measured on an AMD EPYC (Zen 1, AVX2, in-L2 512x1536 matrix, one thread, JDK 17, the JDK's bounds checks
 * off): 1.5-1.6x the 16-bit kernel (reading one block at a time). With the JDK's checks on, every shuffle's
 * indices are checked and it runs slower than the 16-bit kernel, so {@link Kernels} turns them off where
 * this kernel is chosen. In whole decode steps it gained 6-15% at one thread and nothing at two
 * (engine/PERFORMANCE.md, session 8), so it is off by default.
 */
final class VectorLut128Kernel {
  private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
  private static final int ROWS = TernaryMatrix.Layout.ROW_BLOCKS_16.blockRows();
  /** Block steps (four weights of each row) summed in byte lanes before widening. */
  static final int FLUSH_STEPS = 4;
  private static final int CHUNK_STEPS = TernaryMatrix.BLOCK_COLS / 4;
  /** A high part's weight, as a shift, and where its byte lands once shifted into 16-bit lanes. */
  private static final int HIGH_SHIFT = 5;
  private static final short HIGH_BITS = (short) (0xFF << HIGH_SHIFT);

  private VectorLut128Kernel() {}

  /**
   * Rows [rowStart, rowEnd) of every vector of the batch. Whole blocks are computed and only the rows in
   * range stored, so any split is correct; {@link TernaryLinear} splits at block boundaries.
   */
  static void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    checkRanges(w, x, out, rowStart, rowEnd);
    int quads = w.cols() / 4;
    int tableStride = QuantizedActivations.lookupTableBytes(w.cols());
    int segment = Math.min(w.scaleBlockSize(), x.blockSize);
    int aBlocks = w.cols() / x.blockSize;
    // per block pair: block A's sums in [0, 16), B's in [16, 32), each even rows then odd
    short[] chunkSums = new short[2 * ROWS];
    int[] isums = new int[2 * ROWS];
    float[] sums = new float[2 * ROWS];
    int firstBlock = rowStart / ROWS;
    int blocks = (rowEnd + ROWS - 1) / ROWS - firstBlock;
    int half = (blocks + 1) / 2;
    for (int i = 0; i < half; i++) {
      // block i with block i + half (an odd count pairs its last block with itself)
      int blockA = firstBlock + i;
      int blockB = i + half < blocks ? blockA + half : blockA;
      for (int b = 0; b < x.batch; b++) {
        blockPair(w.codes(), blockA * quads * ROWS, blockB * quads * ROWS, blockA, blockB, x.lookupLow,
            x.lookupHigh, b * tableStride, x.d, b * aBlocks, x.blockSize, w.scales(), w.scaleBlockSize(),
            w.scaleBlocksPerRow(), quads, segment, chunkSums, isums, sums);
        LookupSums.store(sums, 0, blockA, ROWS, b, w.rows(), out, rowStart, rowEnd);
        LookupSums.store(sums, ROWS, blockB, ROWS, b, w.rows(), out, rowStart, rowEnd);
      }
    }
  }

  /**
   * One activation vector over a pair of blocks: sums into {@code sums} (A's rows in [0, 16), B's in [16,
   * 32), even rows then odd). A method of its own, called once per block pair and vector, so that C2
   * compiles it from many short calls rather than on-stack from one long one (see {@link VectorLutKernel}).
   * The 16-bit sums are changed at one loop level only: carried through two nested loops, C2 boxed them
   * (measured 5x slower).
   */
  private static void blockPair(byte[] codes, int baseA, int baseB, int blockA, int blockB, byte[] low,
      byte[] high, int tables, float[] d, int dOff, int aBlock, float[] scales, int wBlock, int wBlocks, int quads,
      int segment, short[] chunkSums, int[] isums, float[] sums) {
    java.util.Arrays.fill(isums, 0);
    java.util.Arrays.fill(sums, 0f);
    for (int chunk = 0; chunk < quads / CHUNK_STEPS; chunk++) {
      ShortVector evenA = ShortVector.zero(S);
      ShortVector oddA = ShortVector.zero(S);
      ShortVector evenB = ShortVector.zero(S);
      ShortVector oddB = ShortVector.zero(S);
      for (int step = chunk * CHUNK_STEPS; step < (chunk + 1) * CHUNK_STEPS; step += FLUSH_STEPS) {
        ByteVector lowsA = ByteVector.zero(B);
        ByteVector highsA = ByteVector.zero(B);
        ByteVector lowsB = ByteVector.zero(B);
        ByteVector highsB = ByteVector.zero(B);
        for (int m = step; m < step + FLUSH_STEPS; m++) {
          // pair 2m's tables for the low nibbles, pair 2m+1's for the high ones
          int t = tables + 32 * m;
          ByteVector low0 = ByteVector.fromArray(B, low, t);
          ByteVector low1 = ByteVector.fromArray(B, low, t + 16);
          ByteVector high0 = ByteVector.fromArray(B, high, t);
          ByteVector high1 = ByteVector.fromArray(B, high, t + 16);
          // blocks A and B written out, not a helper: a vector passed to a call C2 does not inline is boxed
          ByteVector v = ByteVector.fromArray(B, codes, baseA + ROWS * m);
          VectorShuffle<Byte> first = v.and((byte) 0x0F).toShuffle();
          VectorShuffle<Byte> second = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
              .and((byte) 0x0F).toShuffle();
          lowsA = lowsA.add(low0.rearrange(first)).add(low1.rearrange(second));
          highsA = highsA.add(high0.rearrange(first)).add(high1.rearrange(second));
          ByteVector u = ByteVector.fromArray(B, codes, baseB + ROWS * m);
          VectorShuffle<Byte> firstB = u.and((byte) 0x0F).toShuffle();
          VectorShuffle<Byte> secondB = u.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
              .and((byte) 0x0F).toShuffle();
          lowsB = lowsB.add(low0.rearrange(firstB)).add(low1.rearrange(secondB));
          highsB = highsB.add(high0.rearrange(firstB)).add(high1.rearrange(secondB));
        }
        // short lane i holds row 2i in its low byte and row 2i+1 in its high byte; 32·high + low per row
        ShortVector l = lowsA.reinterpretAsShorts();
        ShortVector h = highsA.reinterpretAsShorts();
        evenA = evenA.add(l.and((short) 0xFF)).add(h.lanewise(VectorOperators.LSHL, HIGH_SHIFT).and(HIGH_BITS));
        oddA = oddA.add(l.lanewise(VectorOperators.LSHR, 8))
            .add(h.lanewise(VectorOperators.LSHR, 8 - HIGH_SHIFT).and(HIGH_BITS));
        l = lowsB.reinterpretAsShorts();
        h = highsB.reinterpretAsShorts();
        evenB = evenB.add(l.and((short) 0xFF)).add(h.lanewise(VectorOperators.LSHL, HIGH_SHIFT).and(HIGH_BITS));
        oddB = oddB.add(l.lanewise(VectorOperators.LSHR, 8))
            .add(h.lanewise(VectorOperators.LSHR, 8 - HIGH_SHIFT).and(HIGH_BITS));
      }
      evenA.add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, 0);
      oddA.add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS / 2);
      evenB.add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS);
      oddB.add(LookupSums.CHUNK_BIAS).intoArray(chunkSums, ROWS + ROWS / 2);
      LookupSums.endChunk(chunk, chunkSums, isums, sums, segment, d, dOff, aBlock, scales, wBlock, wBlocks, blockA,
          blockB, ROWS);
    }
  }

  private static void checkRanges(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    if (w.layout() != TernaryMatrix.Layout.ROW_BLOCKS_16) {
      throw new IllegalArgumentException(w.name() + ": the 128-bit lookup kernel reads 16-row blocks, not "
          + w.layout());
    }
    VectorLutKernel.checkCommonRanges(w, x, out, rowStart, rowEnd);
  }
}
