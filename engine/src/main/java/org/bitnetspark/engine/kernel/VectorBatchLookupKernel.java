package org.bitnetspark.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary product for a batch of vectors (prefill, batched decoding) on the group layout, by table
 * lookup with the batch in the lanes. A code byte holds the four weights of columns j, j+32, j+64, j+96 of
 * a 128-weight group ({@link TernaryMatrix#packRow}), which take 3^4 = 81 ternary values. For a tile of up
 * to {@value #LANES} vectors and one column block, the kernel first tabulates, for every code byte position
 * and every one of the 81 weight combinations, the 16 sums Σ (code-1)·q, one per vector, as one 16-lane
 * short vector. A row then costs one table load and one add per code byte: four weights times sixteen
 * vectors, where the multiply kernel ({@link VectorTernaryKernel}) spends a multiply and an add per 16
 * weights of each vector. This is bitnet.cpp's TL idea (arXiv 2410.16144) turned round: there the lanes are
 * rows and the table holds one vector's sums; here the lanes are the batch, so a table is worth building
 * only for many vectors, and is then read by every row.
 *
 * <p>A column block is 256 weights (64 code bytes; 128 where a scale segment is 128 long): its table
 * (64 × 81 × 16 shorts, 166 KB) stays in a core's L2 cache while every row of the thread's range reads it,
 * in chunks of up to {@value #MAX_CHUNK_ROWS} rows. Each thread builds its own tables, so nothing serial is
 * added; building costs about 120 vector stores per code byte position, against one load per position per row.
 *
 * <p>Exact: a table entry is at most 4·127 in magnitude (quantised activations lie within ±127), so the 64
 * entries of a block sum to at most 32512 in a short lane; block sums are widened to int, and each segment's
 * integer sum is scaled as {@link ScalarTernaryKernel} does ({@code sum += isum * (d_act * d_w)}, in the
 * same order, no fused multiply-add), so results equal it bit for bit. Code 3 never reaches a kernel (the
 * loaders reject it).
 */
final class VectorBatchLookupKernel {
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  /** Vectors of the batch per pass: the short lanes of a 256-bit vector. */
  static final int LANES = 16;
  /**
   * Fewer vectors than this in a pass leave too many lanes idle: the multiply kernel is faster. A pass costs
   * the same whatever its lanes hold; on the 700M shape four vectors ran at 0.7-0.8x batch 1's throughput,
   * and the break-even is about eight (see engine/PERFORMANCE.md, session 9).
   */
  static final int MIN_VECTORS = 8;
  private static final int ENTRIES = 81;
  /** Shorts per code byte position in a table: 81 entries of 16 lanes. */
  private static final int POSITION_STRIDE = ENTRIES * LANES;
  private static final int BLOCK_WEIGHTS = 256;
  /** Code byte → offset of its entry (base-3 index of its four codes, times {@link #LANES}). */
  private static final int[] ENTRY_OFFSET = new int[256];

  static {
    for (int c = 0; c < 256; c++) {
      int e = 0;
      for (int m = 3; m >= 0; m--) e = 3 * e + Math.min(2, (c >> (2 * m)) & 3);
      ENTRY_OFFSET[c] = e * LANES;
    }
  }

  /** Per-thread buffers, reused: a table, the block's activations transposed, and the rows' sums. */
  private static final class Scratch {
    final short[] table = new short[BLOCK_WEIGHTS / 4 * POSITION_STRIDE];
    final short[] columns = new short[BLOCK_WEIGHTS * LANES];
    float[] sums = new float[0];
    int[] partial = new int[0];
    final float[] segmentScales = new float[LANES];

    void fit(int rows) {
      if (sums.length < rows * LANES) {
        sums = new float[rows * LANES];
        partial = new int[rows * LANES];
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private VectorBatchLookupKernel() {}

  /** Whether this kernel can take the product: the scale segments are whole 128-weight groups. */
  static boolean fits(TernaryMatrix w, QuantizedActivations x) {
    return segment(w, x) % TernaryMatrix.GROUP == 0;
  }

  private static int segment(TernaryMatrix w, QuantizedActivations x) {
    return Math.min(w.scaleBlockSize(), x.blockSize);
  }

  /**
   * Vectors {@code [from, to)} of the batch, every row of {@code [rowStart, rowEnd)}, in passes of up to
   * {@value #LANES} vectors (a short last pass leaves lanes zero), each over the rows in chunks of at most
   * {@value #MAX_CHUNK_ROWS}. The caller ({@link VectorTernaryKernel}) has checked the ranges; the vector loads
   * and stores here touch only this kernel's own scratch arrays, sized by it, and the matrix, activations and
   * output are read and written element by element.
   */
  static void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd, int from, int to) {
    int rows = rowEnd - rowStart;
    if (rows <= 0) return; // a thread's empty share
    Scratch s = SCRATCH.get();
    int chunks = (rows + MAX_CHUNK_ROWS - 1) / MAX_CHUNK_ROWS;
    int chunk = (rows + chunks - 1) / chunks;
    s.fit(chunk);
    for (int v = from; v < to; v += LANES) {
      for (int r = rowStart; r < rowEnd; r += chunk) {
        pass(w, x, out, r, Math.min(rowEnd, r + chunk), v, Math.min(LANES, to - v), s);
      }
    }
  }

  /**
   * Rows per pass at most: every column block reads and writes each row's running sums, and a row's scratch
   * takes 128 bytes, which over 6912 rows (a 2B-4T gate or up matrix) cannot share a 512 KB L2 with the
   * block's table. In two or three chunks that matrix took 1.89-2.05 ns per code byte, whole 2.42-4.76 (16
   * vectors, one thread, best rounds; Zen 1). On 4096 rows, chunks of 2048 gained nothing, and each chunk
   * builds its tables again.
   */
  static final int MAX_CHUNK_ROWS = 4096;

  private static void pass(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd,
      int firstVector, int vectors, Scratch s) {
    int cols = w.cols();
    int segment = segment(w, x);
    int block = segment % BLOCK_WEIGHTS == 0 ? BLOCK_WEIGHTS : TernaryMatrix.GROUP;
    int rows = rowEnd - rowStart;
    java.util.Arrays.fill(s.sums, 0, rows * LANES, 0f);
    for (int start = 0; start < cols; start += block) {
      buildTable(x, firstVector, vectors, start, block, s);
      boolean first = start % segment == 0;
      boolean last = (start + block) % segment == 0;
      if (last) {
        int aBlock = start / x.blockSize;
        java.util.Arrays.fill(s.segmentScales, 0f);
        for (int l = 0; l < vectors; l++) s.segmentScales[l] = x.d[(firstVector + l) * (cols / x.blockSize) + aBlock];
      }
      sumRows(w, rowStart, rowEnd, start, block, first, last, start / w.scaleBlockSize(), s);
    }
    int rowsOut = w.rows();
    for (int r = 0; r < rows; r++) {
      for (int l = 0; l < vectors; l++) out[(firstVector + l) * rowsOut + rowStart + r] = s.sums[r * LANES + l];
    }
  }

  /**
   * Every row's lookups over one column block: a short sum per lane, widened and added to the segment's
   * int sums, which are scaled into the rows' float sums where the segment ends.
   */
  private static void sumRows(TernaryMatrix w, int rowStart, int rowEnd, int start, int block, boolean first,
      boolean last, int wScale, Scratch s) {
    byte[] codes = w.codes();
    float[] scales = w.scales();
    int wBlocks = w.scaleBlocksPerRow();
    int rowBytes = w.cols() / 4;
    int positions = block / 4;
    short[] table = s.table;
    int[] partial = s.partial;
    float[] sums = s.sums;
    FloatVector dLow = FloatVector.fromArray(F, s.segmentScales, 0);
    FloatVector dHigh = FloatVector.fromArray(F, s.segmentScales, 8);
    for (int r = rowStart; r < rowEnd; r++) {
      int at = r * rowBytes + start / 4;
      ShortVector acc = ShortVector.zero(S);
      for (int p = 0; p < positions; p++) {
        acc = acc.add(ShortVector.fromArray(S, table, p * POSITION_STRIDE + ENTRY_OFFSET[codes[at + p] & 0xFF]));
      }
      int o = (r - rowStart) * LANES;
      IntVector low = (IntVector) acc.convertShape(VectorOperators.S2I, I, 0);
      IntVector high = (IntVector) acc.convertShape(VectorOperators.S2I, I, 1);
      if (!first) {
        low = low.add(IntVector.fromArray(I, partial, o));
        high = high.add(IntVector.fromArray(I, partial, o + 8));
      }
      if (!last) {
        low.intoArray(partial, o);
        high.intoArray(partial, o + 8);
        continue;
      }
      float ws = scales[r * wBlocks + wScale];
      // sum += isum * (d_act * d_w), as the scalar kernel rounds it
      FloatVector sumLow = FloatVector.fromArray(F, sums, o)
          .add(((FloatVector) low.convert(VectorOperators.I2F, 0)).mul(dLow.mul(ws)));
      FloatVector sumHigh = FloatVector.fromArray(F, sums, o + 8)
          .add(((FloatVector) high.convert(VectorOperators.I2F, 0)).mul(dHigh.mul(ws)));
      sumLow.intoArray(sums, o);
      sumHigh.intoArray(sums, o + 8);
    }
  }

  /**
   * The block's table: at code byte position p (group p / 32, column j = p % 32 of it) and entry e = c0 +
   * 3·c1 + 9·c2 + 27·c3, lane l holds Σ_m (c_m - 1)·q[l][j + 32m]. Built one weight at a time: the 3^m
   * entries of the first m weights become 3^(m+1), each minus, plus nothing, and plus the next weight's
   * activations.
   */
  private static void buildTable(QuantizedActivations x, int firstVector, int vectors, int start, int block, Scratch s) {
    short[] columns = s.columns;
    byte[] q = x.q;
    int cols = x.cols;
    for (int l = 0; l < LANES; l++) {
      if (l < vectors) {
        int from = (firstVector + l) * cols + start;
        for (int k = 0; k < block; k++) columns[k * LANES + l] = q[from + k];
      } else {
        for (int k = 0; k < block; k++) columns[k * LANES + l] = 0;
      }
    }
    short[] table = s.table;
    for (int p = 0; p < block / 4; p++) {
      int column = (p / 32) * TernaryMatrix.GROUP + p % 32;
      int base = p * POSITION_STRIDE;
      ShortVector v = ShortVector.fromArray(S, columns, column * LANES);
      v.neg().intoArray(table, base);
      ShortVector.zero(S).intoArray(table, base + LANES);
      v.intoArray(table, base + 2 * LANES);
      int size = 3;
      for (int m = 1; m < 4; m++) {
        v = ShortVector.fromArray(S, columns, (column + 32 * m) * LANES);
        for (int e = 0; e < size; e++) {
          ShortVector t = ShortVector.fromArray(S, table, base + e * LANES);
          t.sub(v).intoArray(table, base + e * LANES);
          t.intoArray(table, base + (e + size) * LANES);
          t.add(v).intoArray(table, base + (e + 2 * size) * LANES);
        }
        size *= 3;
      }
    }
  }
}
