package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The lookup kernels' shared epilogue, over a block pair's sums in lane order (block A's rows, then B's;
 * each even rows first, then odd): 16-bit chunk sums widened into int, int segment sums scaled into float,
 * and float sums stored by row. Arrays in and out, no vector crosses a call (C2 boxes those it does not
 * inline), and 256-bit species only: wider ones here slowed the 256-bit F16 head 5x in the same JVM (its
 * Vector API call sites stopped binding statically).
 */
final class LookupSums {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

  /** Minus a chunk's bias (128 lookups of {@link QuantizedActivations#LOOKUP_BIAS}), modulo 2^16. */
  static final short CHUNK_BIAS = (short) -(TernaryMatrix.BLOCK_COLS / 2 * QuantizedActivations.LOOKUP_BIAS);

  private LookupSums() {}

  /**
   * The end of a block pair's 256-weight chunk {@code chunk}: its 16-bit sums widened into int, and where a
   * segment (constant weight and activation scales) ends there, the int sums scaled into float.
   */
  static void endChunk(int chunk, short[] chunkSums, int[] isums, float[] sums, int segment, float[] d, int dOff,
      int aBlock, float[] scales, int wBlock, int wBlocks, int blockA, int blockB, int rows) {
    widenChunk(chunkSums, isums, 2 * rows);
    int end = (chunk + 1) * TernaryMatrix.BLOCK_COLS;
    if (end % segment == 0) {
      int s = end - segment;
      addSegment(isums, sums, d[dOff + s / aBlock], scales, (blockA * wBlocks + s / wBlock) * rows,
          (blockB * wBlocks + s / wBlock) * rows, rows);
    }
  }

  /** {@code isums[j] += chunkSums[j]} for j < n (a multiple of 8). */
  private static void widenChunk(short[] chunkSums, int[] isums, int n) {
    for (int j = 0; j < n; j += 8) {
      IntVector.fromArray(I, isums, j)
          .add((IntVector) ShortVector.fromArray(S, chunkSums, j).convertShape(VectorOperators.S2I, I, 0))
          .intoArray(isums, j);
    }
  }

  /**
   * {@code sums[j] += isums[j] · (da · scale_j)}, the scalar kernel's float operations, lane by lane, then
   * clears the int sums. Block A's scales start at {@code scalesA}, B's at {@code scalesB}, {@code rows} each.
   */
  private static void addSegment(int[] isums, float[] sums, float da, float[] scales, int scalesA, int scalesB, int rows) {
    FloatVector d = FloatVector.broadcast(F, da);
    for (int j = 0; j < 2 * rows; j += 8) {
      int at = (j < rows ? scalesA : scalesB) + j % rows;
      FloatVector isum = (FloatVector) IntVector.fromArray(I, isums, j).convertShape(VectorOperators.I2F, F, 0);
      FloatVector.fromArray(F, sums, j).add(isum.mul(d.mul(FloatVector.fromArray(F, scales, at)))).intoArray(sums, j);
    }
    java.util.Arrays.fill(isums, 0, 2 * rows, 0);
  }

  /**
   * A block's sums (even rows, then odd, from {@code at}) into output row-vector {@code b}, for the rows of
   * [rowStart, rowEnd) it holds.
   */
  static void store(float[] sums, int at, int block, int blockRows, int b, int rows, float[] out, int rowStart,
      int rowEnd) {
    int from = Math.max(rowStart, block * blockRows);
    int to = Math.min(rowEnd, block * blockRows + blockRows);
    for (int r = from; r < to; r++) {
      int inBlock = r - block * blockRows;
      out[b * rows + r] = sums[at + (inBlock % 2) * (blockRows / 2) + inBlock / 2];
    }
  }
}
