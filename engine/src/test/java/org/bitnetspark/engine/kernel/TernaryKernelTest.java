package org.bitnetspark.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.tensor.TernaryMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TernaryKernelTest {

  static List<TernaryKernel> kernels() {
    List<TernaryKernel> ks = new ArrayList<>();
    ks.add(new ScalarTernaryKernel());
    if (Kernels.vectorAvailable()) ks.add(Kernels.create(Kernels.Choice.VECTOR).ternary());
    return ks;
  }

  /** A matrix from codes in natural order (0, 1, 2 = -1, 0, +1). */
  static TernaryMatrix matrix(byte[][] codes, float[] scales, int scaleBlock, float outputScale) {
    int rows = codes.length;
    int cols = codes[0].length;
    byte[] packed = new byte[rows * cols / 4];
    for (int r = 0; r < rows; r++) TernaryMatrix.packRow(codes[r], 0, cols, packed, r * cols / 4);
    return new TernaryMatrix("test", GgmlType.TQ2_0, rows, cols, packed, scales, scaleBlock, outputScale);
  }

  @Test
  void packsCodesInTheTq2_0GroupLayout() {
    byte[][] codes = new byte[1][128];
    java.util.Arrays.fill(codes[0], (byte) 1);
    codes[0][0] = 2;
    codes[0][33] = 0;
    codes[0][127] = 2;
    TernaryMatrix m = matrix(codes, new float[] {1f}, 128, 1f);
    // byte j holds elements j, j+32, j+64, j+96 in bit pairs 0..3
    assertEquals((byte) 0b01_01_01_10, m.codes()[0]);
    assertEquals((byte) 0b01_01_00_01, m.codes()[1]);
    assertEquals((byte) 0b10_01_01_01, m.codes()[31]);
    assertEquals(1f, m.weight(0, 0));
    assertEquals(-1f, m.weight(0, 33));
  }

  /**
   * Hand-computed: one row of 256 weights, w[0] = +1, w[1] = -1, w[200] = +1, the rest 0, block scale
   * 0.5 (TQ style, one scale per 256). Input x[0] = 2, x[1] = 1, x[200] = -4, the rest 0.
   * <ul>
   *   <li>none: 0.5 * (2 - 1 - 4) = -1.5</li>
   *   <li>per-token: max|x| = 4, s = 127/4 = 31.75; q = rint(x*s): 63.5 -> 64 (ties to even),
   *       31.75 -> 32, -127; Σ w·q = 64 - 32 - 127 = -95; y = -95 * (1/31.75) * 0.5 = -1.496063</li>
   *   <li>q8k: the largest magnitude is -4, iscale = -127/-4 = 31.75: the same codes here</li>
   * </ul>
   */
  @Test
  void computesAHandWorkedRowInEveryMode() {
    byte[][] codes = new byte[1][256];
    java.util.Arrays.fill(codes[0], (byte) 1);
    codes[0][0] = 2;
    codes[0][1] = 0;
    codes[0][200] = 2;
    TernaryMatrix m = matrix(codes, new float[] {0.5f}, 256, 1f);
    float[] x = new float[256];
    x[0] = 2;
    x[1] = 1;
    x[200] = -4;
    for (TernaryKernel k : kernels()) {
      float[] out = new float[1];
      k.matmulFloat(m, x, 1, out, 0, 1);
      assertEquals(-1.5f, out[0], 0f, k.name() + " none");
      for (ActivationQuant aq : new ActivationQuant[] {ActivationQuant.PER_TOKEN, ActivationQuant.Q8K}) {
        QuantizedActivations qa = new QuantizedActivations();
        qa.quantize(aq, x, 1, 256);
        assertEquals(64, qa.q(0, 0), aq + ": 63.5 rounds half to even");
        assertEquals(-127, qa.q(0, 200));
        k.matmul(m, qa, out, 0, 1);
        assertEquals(-95 / 31.75f * 0.5f, out[0], 1e-6f, k.name() + " " + aq);
      }
    }
  }

  /**
   * x[0] = 1 in block 0 and x[300] = -100 in block 1. Q8_K (FORMATS.md 4.3): block 0's extreme is +1,
   * iscale = -127/1, so q[0] = -127 with multiplier -1/127 (the extreme maps to -127); block 1's is
   * -100, iscale = 1.27, q[300] = -127, multiplier 1/1.27. Per-token: one scale 127/100 for the
   * row, so q[0] = rint(1.27) = 1.
   */
  @Test
  void q8kUsesOneScalePer256ValuesAndPerTokenOneForTheRow() {
    float[] x = new float[512];
    x[0] = 1;
    x[300] = -100;
    QuantizedActivations q8k = new QuantizedActivations();
    q8k.quantize(ActivationQuant.Q8K, x, 1, 512);
    assertEquals(-127, q8k.q(0, 0));
    assertEquals(-1f / 127f, q8k.d(0, 0), 1e-9f);
    assertEquals(-127, q8k.q(0, 300));
    assertEquals(1f / 1.27f, q8k.d(0, 1), 1e-6f);
    QuantizedActivations perToken = new QuantizedActivations();
    perToken.quantize(ActivationQuant.PER_TOKEN, x, 1, 512);
    assertEquals(1, perToken.q(0, 0));
    assertEquals(-127, perToken.q(0, 300));
    assertEquals(100f / 127f, perToken.d(0, 0), 1e-6f);
  }

  static Stream<Arguments> sizes() {
    // rows x cols: one row, odd row counts, one group, many groups, past the vector kernel's
    // 16-group short-accumulator flush (2048 = 16 groups; 8192 = 64 groups)
    return Stream.of(Arguments.of(1, 256), Arguments.of(3, 384), Arguments.of(7, 512), Arguments.of(5, 2048),
        Arguments.of(2, 2304), Arguments.of(4, 8192));
  }

  /**
   * The property that defines a ternary matmul: it equals the float matmul of the dequantised matrix
   * with the (dequantised) activations. Per segment the integer sum is exact, so the only error is
   * float rounding in the scale products and block sums: 1e-5 relative to Σ|w·x|.
   */
  @ParameterizedTest(name = "{0}x{1}")
  @MethodSource("sizes")
  void equalsTheFloatProductOfTheDequantisedMatrix(int rows, int cols) {
    for (long seed = 1; seed <= 3; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      byte[][] codes = new byte[rows][cols];
      for (byte[] row : codes) for (int k = 0; k < cols; k++) row[k] = (byte) r.nextInt(3);
      int blocks = cols / 256 > 0 && cols % 256 == 0 ? cols / 256 : 1;
      int scaleBlock = cols / blocks;
      float[] scales = new float[rows * blocks];
      for (int i = 0; i < scales.length; i++) scales[i] = (float) (0.1 + r.nextDouble());
      TernaryMatrix m = matrix(codes, scales, scaleBlock, 1f);
      int batch = 5; // a tile of four plus one: both vector paths
      float[] x = new float[batch * cols];
      for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
      for (TernaryKernel k : kernels()) {
        for (ActivationQuant aq : ActivationQuant.values()) {
          if (aq == ActivationQuant.Q8K && cols % 256 != 0) continue;
          float[] xs = x;
          float[] out = new float[batch * rows];
          if (aq == ActivationQuant.NONE) {
            k.matmulFloat(m, x, batch, out, 0, rows);
          } else {
            QuantizedActivations qa = new QuantizedActivations();
            qa.quantize(aq, x, batch, cols);
            xs = new float[x.length];
            for (int b = 0; b < batch; b++) {
              for (int c = 0; c < cols; c++) xs[b * cols + c] = qa.q(b, c) * qa.d(b, c / qa.blockSize());
            }
            k.matmul(m, qa, out, 0, rows);
          }
          for (int b = 0; b < batch; b++) {
            for (int row = 0; row < rows; row++) {
              double expected = 0;
              double magnitude = 0;
              for (int c = 0; c < cols; c++) {
                expected += (double) m.weight(row, c) * xs[b * cols + c];
                magnitude += Math.abs((double) m.weight(row, c) * xs[b * cols + c]);
              }
              assertEquals(expected, out[b * rows + row], 1e-5 * magnitude + 1e-6,
                  k.name() + " " + aq + " " + rows + "x" + cols + " seed " + seed + " row " + row + " batch " + b);
            }
          }
        }
      }
    }
  }

  /** Once the scalar kernel is pinned above, the vector kernel must give bit-identical results. */
  @ParameterizedTest(name = "{0}x{1}")
  @MethodSource("sizes")
  void vectorKernelEqualsScalarExactly(int rows, int cols) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    TernaryKernel vector = Kernels.create(Kernels.Choice.VECTOR).ternary();
    TernaryKernel scalar = new ScalarTernaryKernel();
    SplittableRandom r = new SplittableRandom(rows * 31L + cols);
    byte[][] codes = new byte[rows][cols];
    for (byte[] row : codes) for (int k = 0; k < cols; k++) row[k] = (byte) r.nextInt(3);
    float[] scales = new float[rows];
    for (int i = 0; i < rows; i++) scales[i] = (float) r.nextDouble();
    TernaryMatrix m = matrix(codes, scales, cols, 1f);
    float[] x = new float[5 * cols];
    // extreme activations: every q is ±127, the worst case for the short accumulators
    for (int i = 0; i < x.length; i++) x[i] = r.nextBoolean() ? 1f : -1f;
    for (ActivationQuant aq : new ActivationQuant[] {ActivationQuant.PER_TOKEN, ActivationQuant.Q8K}) {
      if (aq == ActivationQuant.Q8K && cols % 256 != 0) continue;
      // one vector (the decoding path) and five (four sharing weights, one left over)
      for (int batch : new int[] {1, 5}) {
        QuantizedActivations qa = new QuantizedActivations();
        qa.quantize(aq, x, batch, cols);
        float[] a = new float[batch * rows];
        float[] b = new float[batch * rows];
        scalar.matmul(m, qa, a, 0, rows);
        vector.matmul(m, qa, b, 0, rows);
        assertArrayEquals(a, b, vector.name() + " vs scalar, " + aq + ", batch " + batch + ", " + rows + "x" + cols);
        // as threads call it: two ranges, the first of odd length where the rows allow
        float[] split = new float[batch * rows];
        int mid = rows / 2 % 2 == 1 ? rows / 2 : rows / 2 + 1;
        vector.matmul(m, qa, split, 0, Math.min(mid, rows));
        vector.matmul(m, qa, split, Math.min(mid, rows), rows);
        assertArrayEquals(a, split, vector.name() + " in two ranges split at " + mid + ", batch " + batch);
      }
    }
  }

  /** Random codes; scales per 256 weights (TQ style) or one per row (I2_S style), never zero. */
  static TernaryMatrix randomMatrix(SplittableRandom r, int rows, int cols, int scaleBlock) {
    byte[][] codes = new byte[rows][cols];
    for (byte[] row : codes) for (int k = 0; k < cols; k++) row[k] = (byte) r.nextInt(3);
    float[] scales = new float[rows * (cols / scaleBlock)];
    for (int i = 0; i < scales.length; i++) scales[i] = 0.05f + (float) r.nextDouble();
    return matrix(codes, scales, scaleBlock, 1f);
  }

  /** A row-block layout (lookup kernels) holds every code of the group layout, and says what does not fit. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = TernaryMatrix.Layout.class, names = {"ROW_BLOCKS_64", "ROW_BLOCKS_16"})
  void rowBlocksKeepEveryCode(TernaryMatrix.Layout layout) {
    TernaryMatrix groups = randomMatrix(new SplittableRandom(11), 128, 512, 256);
    TernaryMatrix blocks = groups.toRowBlocks(layout);
    assertEquals(layout, blocks.layout());
    assertEquals(groups.residentBytes(), blocks.residentBytes(), "repacking keeps 2 bits per weight");
    byte[] unpacked = new byte[512];
    byte[] unpackedGroups = new byte[512];
    for (int r = 0; r < 128; r++) {
      blocks.unpackRow(r, unpacked);
      groups.unpackRow(r, unpackedGroups);
      for (int k = 0; k < 512; k++) {
        assertEquals(groups.code(r, k), blocks.code(r, k), "code " + r + "," + k);
        assertEquals(groups.code(r, k), unpacked[k], "unpacked " + r + "," + k);
        assertEquals(groups.code(r, k), unpackedGroups[k], "unpacked from groups " + r + "," + k);
      }
    }
    TernaryMatrix ragged = randomMatrix(new SplittableRandom(12), 72, 256, 256);
    assertEquals(false, ragged.fitsRowBlocks(layout));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ragged.toRowBlocks(layout));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("blocks of " + layout.blockRows() + " rows"),
        e.getMessage());
  }

  static Stream<Arguments> lookupShapes() {
    // rows, cols, scale block: TQ-style blocks and one scale per row; 1536 columns cross six chunks; 80
    // rows fit 16-row blocks only (five of them: an odd count, whose last block pairs with itself)
    return Stream.of(TernaryMatrix.Layout.ROW_BLOCKS_64, TernaryMatrix.Layout.ROW_BLOCKS_16).flatMap(layout -> Stream.of(
        Arguments.of(layout, 64, 256, 256), Arguments.of(layout, 128, 768, 256), Arguments.of(layout, 64, 1536, 1536),
        Arguments.of(layout, 192, 512, 512), Arguments.of(layout, 80, 512, 256)))
        .filter(a -> (Integer) a.get()[1] % ((TernaryMatrix.Layout) a.get()[0]).blockRows() == 0);
  }

  /**
   * The lookup kernel on row blocks against the scalar kernel on the group layout (a different code
   * path over a different layout): bit for bit, for one and three vectors, both activation schemes,
   * Gaussian and extreme (every q = ±127) activations, and row ranges split inside a block as well as at
   * block boundaries. The scalar kernel on row blocks must agree too.
   */
  @ParameterizedTest(name = "{0}: {1}x{2}, scale block {3}")
  @MethodSource("lookupShapes")
  void lookupKernelEqualsScalarExactly(TernaryMatrix.Layout layout, int rows, int cols, int scaleBlock) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    TernaryKernel vector = Kernels.create(Kernels.Choice.VECTOR).ternary();
    TernaryKernel scalar = new ScalarTernaryKernel();
    SplittableRandom r = new SplittableRandom(rows * 131L + cols);
    TernaryMatrix groups = randomMatrix(r, rows, cols, scaleBlock);
    TernaryMatrix blocks = groups.toRowBlocks(layout);
    float[] gaussian = new float[3 * cols];
    float[] extreme = new float[3 * cols];
    for (int i = 0; i < gaussian.length; i++) {
      gaussian[i] = (float) r.nextGaussian();
      extreme[i] = r.nextBoolean() ? 1f : -1f;
    }
    for (float[] x : new float[][] {gaussian, extreme}) {
      for (ActivationQuant aq : new ActivationQuant[] {ActivationQuant.PER_TOKEN, ActivationQuant.Q8K}) {
        for (int batch : new int[] {1, 3}) {
          QuantizedActivations qa = new QuantizedActivations();
          qa.quantize(aq, x, batch, cols);
          qa.prepareLookupTables();
          float[] expected = new float[batch * rows];
          scalar.matmul(groups, qa, expected, 0, rows);
          String what = aq + ", batch " + batch + ", " + (x == extreme ? "extreme" : "gaussian");
          float[] lookup = new float[batch * rows];
          vector.matmul(blocks, qa, lookup, 0, rows);
          assertArrayEquals(expected, lookup, "lookup vs scalar, " + what);
          float[] split = new float[batch * rows];
          vector.matmul(blocks, qa, split, 0, 37);
          vector.matmul(blocks, qa, split, 37, rows);
          assertArrayEquals(expected, split, "lookup split inside a block, " + what);
          float[] scalarBlocks = new float[batch * rows];
          scalar.matmul(blocks, qa, scalarBlocks, 0, rows);
          assertArrayEquals(expected, scalarBlocks, "scalar on row blocks, " + what);
        }
      }
      float[] floatGroups = new float[rows];
      float[] floatBlocks = new float[rows];
      scalar.matmulFloat(groups, x, 1, floatGroups, 0, rows);
      vector.matmulFloat(blocks, x, 1, floatBlocks, 0, rows);
      assertArrayEquals(floatGroups, floatBlocks, "float activations: the same sums in the same order");
    }
  }

  static Stream<Arguments> batchLookupShapes() {
    // rows, cols, scale block: one 256-weight block; 128-weight segments (128-weight blocks); one scale
    // per row over 384 columns (three 128-weight blocks summed in int) and over 1024 (four 256-weight
    // blocks); TQ-style blocks over 2048; more rows than a pass takes at once, in three chunks (the last one
    // short), and in two chunks in each half of the split call
    return Stream.of(Arguments.of(5, 256, 256), Arguments.of(7, 384, 128), Arguments.of(3, 384, 384),
        Arguments.of(9, 1024, 1024), Arguments.of(6, 2048, 256),
        Arguments.of(2 * VectorBatchLookupKernel.MAX_CHUNK_ROWS + 3, 256, 256));
  }

  /**
   * The batch lookup kernel ({@link VectorBatchLookupKernel}) against the scalar kernel, bit for bit: batches
   * of 8 (one pass, eight idle lanes), 16 (one full pass), 21 (a full pass, the last five vectors by the
   * multiply kernel), 26 (a full pass and a padded one) and 35 (two full passes and three multiplied);
   * Gaussian and extreme (every q = ±127) activations, both activation schemes, and rows split in two
   * ranges as threads call it.
   */
  @ParameterizedTest(name = "{0}x{1}, scale block {2}")
  @MethodSource("batchLookupShapes")
  void batchLookupKernelEqualsScalarExactly(int rows, int cols, int scaleBlock) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    TernaryKernel vector = Kernels.create(Kernels.Choice.VECTOR).ternary();
    TernaryKernel scalar = new ScalarTernaryKernel();
    SplittableRandom r = new SplittableRandom(rows * 977L + cols + scaleBlock);
    TernaryMatrix m = randomMatrix(r, rows, cols, scaleBlock);
    int most = 35;
    float[] gaussian = new float[most * cols];
    float[] extreme = new float[most * cols];
    for (int i = 0; i < gaussian.length; i++) {
      gaussian[i] = (float) r.nextGaussian();
      extreme[i] = r.nextBoolean() ? 1f : -1f;
    }
    for (float[] x : new float[][] {gaussian, extreme}) {
      for (ActivationQuant aq : new ActivationQuant[] {ActivationQuant.PER_TOKEN, ActivationQuant.Q8K}) {
        if (aq == ActivationQuant.Q8K && cols % 256 != 0) continue;
        for (int batch : new int[] {8, 16, 21, 26, most}) {
          QuantizedActivations qa = new QuantizedActivations();
          qa.quantize(aq, x, batch, cols);
          String what = aq + ", batch " + batch + ", " + (x == extreme ? "extreme" : "gaussian");
          float[] expected = new float[batch * rows];
          scalar.matmul(m, qa, expected, 0, rows);
          float[] tabled = new float[batch * rows];
          vector.matmul(m, qa, tabled, 0, rows);
          assertArrayEquals(expected, tabled, "batch lookup vs scalar, " + what);
          float[] split = new float[batch * rows];
          vector.matmul(m, qa, split, 0, rows / 2);
          vector.matmul(m, qa, split, rows / 2, rows);
          assertArrayEquals(expected, split, "batch lookup in two ranges, " + what);
        }
      }
    }
  }

  /**
   * Hand-computed extremes through the byte and 16-bit lanes: all weights +1 (or -1) against q = ±127
   * everywhere sums to ±127·cols exactly, the largest a 256-column chunk can reach (32512); a lane that
   * wrapped would be off by 256, 65536 or more.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = TernaryMatrix.Layout.class, names = {"ROW_BLOCKS_64", "ROW_BLOCKS_16"})
  void lookupKernelHoldsTheExtremeSums(TernaryMatrix.Layout layout) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    int rows = 64;
    int cols = 512;
    byte[][] codes = new byte[rows][cols];
    for (int row = 0; row < rows; row++) java.util.Arrays.fill(codes[row], (byte) (row % 2 == 0 ? 2 : 0));
    float[] scales = new float[rows];
    java.util.Arrays.fill(scales, 1f);
    TernaryMatrix blocks = matrix(codes, scales, cols, 1f).toRowBlocks(layout);
    float[] x = new float[2 * cols];
    java.util.Arrays.fill(x, 0, cols, 1f);
    java.util.Arrays.fill(x, cols, 2 * cols, -1f);
    QuantizedActivations qa = new QuantizedActivations();
    qa.quantize(ActivationQuant.PER_TOKEN, x, 2, cols);
    qa.prepareLookupTables();
    float[] out = new float[2 * rows];
    Kernels.create(Kernels.Choice.VECTOR).ternary().matmul(blocks, qa, out, 0, rows);
    for (int row = 0; row < rows; row++) {
      float sign = row % 2 == 0 ? 1f : -1f;
      // q = ±127 with multiplier 1/127: ±cols up to the float product's rounding
      assertEquals(sign * cols, out[row], 1e-6f * cols, "row " + row + ", q = +127");
      assertEquals(-sign * cols, out[rows + row], 1e-6f * cols, "row " + row + ", q = -127");
    }
  }

  /**
   * Matrices sharing an input (q, k, v; gate, up) are run as one: one quantisation, their rows end to end
   * in one hand-off to the row threads. Each output must equal that matrix's own forward bit for bit,
   * including where two threads' ranges cross a matrix boundary, the output scale, and a batch; a dense
   * matrix in the list falls back to forwarding each.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(TernaryMatrix.Layout.class)
  void sharedInputProjectionsEqualEachMatrixAlone(TernaryMatrix.Layout layout) {
    boolean rowBlocks = layout.rowBlocks();
    org.junit.jupiter.api.Assumptions.assumeTrue(!rowBlocks || Kernels.vectorAvailable(), "Vector API module absent");
    SplittableRandom r = new SplittableRandom(7);
    int cols = 256;
    // row blocks split at block boundaries only; the group layout anywhere
    int[] rows = rowBlocks ? new int[] {128, 64, 192} : new int[] {96, 64, 130};
    Linear[] ws = new Linear[rows.length];
    for (int i = 0; i < rows.length; i++) {
      byte[][] codes = new byte[rows[i]][cols];
      for (byte[] row : codes) for (int k = 0; k < cols; k++) row[k] = (byte) r.nextInt(3);
      float[] scales = new float[rows[i]];
      for (int j = 0; j < rows[i]; j++) scales[j] = 0.1f + (float) r.nextDouble();
      TernaryMatrix m = matrix(codes, scales, cols, i == 1 ? 0.75f : 1f);
      ws[i] = new TernaryLinear(rowBlocks ? m.toRowBlocks(layout) : m);
    }
    float[] x = new float[3 * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    Kernels.Choice choice = Kernels.vectorAvailable() ? Kernels.Choice.VECTOR : Kernels.Choice.SCALAR;
    for (int threads : new int[] {1, 2, 3}) {
      try (ParallelRows parallel = new ParallelRows(threads)) {
        Compute compute = new Compute(Kernels.create(choice), parallel, ActivationQuant.PER_TOKEN);
        for (int batch : new int[] {1, 3}) {
          float[][] shared = new float[rows.length][];
          float[][] alone = new float[rows.length][];
          for (int i = 0; i < rows.length; i++) {
            shared[i] = new float[batch * rows[i]];
            alone[i] = new float[batch * rows[i]];
            ws[i].forward(x, batch, alone[i], compute);
          }
          Linear.forwardAll(ws, x, batch, shared, compute);
          for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(alone[i], shared[i], "matrix " + i + ", " + threads + " threads, batch " + batch);
          }
        }
      }
    }
  }

  /**
   * The vector kernel sums 16 groups in 16-bit lanes before widening: the largest sum a lane can reach
   * is all weights +1 (code 2, so code·q = 2·127 before the Σq correction) and every activation at the
   * int8 extreme. Hand-computed: x = ±1 everywhere quantises to q = ±127 with multiplier 1/127, so row
   * of all +1 weights with scale 1 gives ±cols exactly (relative 1e-6: the float product of 1/127).
   * A lane that wrapped would be off by 65536/127 or more.
   */
  @ParameterizedTest(name = "cols {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {128, 2048, 2176, 4096})
  void extremeWeightsAndActivationsDoNotOverflowTheLanes(int cols) {
    byte[][] codes = new byte[2][cols];
    java.util.Arrays.fill(codes[0], (byte) 2);
    java.util.Arrays.fill(codes[1], (byte) 0);
    TernaryMatrix m = matrix(codes, new float[] {1f, 1f}, cols, 1f);
    float[] x = new float[5 * cols];
    for (int b = 0; b < 5; b++) java.util.Arrays.fill(x, b * cols, (b + 1) * cols, b % 2 == 0 ? 1f : -1f);
    for (TernaryKernel k : kernels()) {
      // batch 1 first: the decoding path reads only the first vector
      QuantizedActivations one = new QuantizedActivations();
      one.quantize(ActivationQuant.PER_TOKEN, x, 1, cols);
      float[] first = new float[2];
      k.matmul(m, one, first, 0, 2);
      assertEquals(cols, first[0], 1e-6f * cols, k.name() + " all +1, batch 1");
      assertEquals(-cols, first[1], 1e-6f * cols, k.name() + " all -1, batch 1");
      QuantizedActivations qa = new QuantizedActivations();
      qa.quantize(ActivationQuant.PER_TOKEN, x, 5, cols);
      float[] out = new float[5 * 2];
      k.matmul(m, qa, out, 0, 2);
      for (int b = 0; b < 5; b++) {
        float sign = b % 2 == 0 ? 1f : -1f;
        assertEquals(sign * cols, out[b * 2], 1e-6f * cols, k.name() + " all +1, vector " + b);
        assertEquals(-sign * cols, out[b * 2 + 1], 1e-6f * cols, k.name() + " all -1, vector " + b);
      }
    }
  }

  /**
   * The vector kernels run without the JDK's per-access bounds checks (Kernels), so each call checks
   * its ranges up front: a mismatched or out-of-range call must fail with a named error, never read
   * past an array.
   */
  @Test
  void vectorKernelRejectsRangesOutsideItsArrays() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    TernaryKernel vector = Kernels.create(Kernels.Choice.VECTOR).ternary();
    byte[][] codes = new byte[4][256];
    TernaryMatrix m = matrix(codes, new float[] {1f, 1f, 1f, 1f}, 256, 1f);
    QuantizedActivations qa = new QuantizedActivations();
    qa.quantize(ActivationQuant.PER_TOKEN, new float[2 * 256], 2, 256);
    IllegalArgumentException cols = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> {
      QuantizedActivations wide = new QuantizedActivations();
      wide.quantize(ActivationQuant.PER_TOKEN, new float[384], 1, 384);
      vector.matmul(m, wide, new float[4], 0, 4);
    });
    org.junit.jupiter.api.Assertions.assertTrue(cols.getMessage().contains("384 columns"), cols.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
        () -> vector.matmul(m, qa, new float[2 * 4], 2, 5));
    org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
        () -> vector.matmul(m, qa, new float[4], 0, 4));
    FloatDot dot = Kernels.create(Kernels.Choice.VECTOR).floatDot();
    org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
        () -> dot.dot(new float[16], 0, new float[16], 8, 16));
  }

  @Test
  void vectorFloatDotMatchesScalar() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorAvailable(), "Vector API module absent");
    FloatDot vector = Kernels.create(Kernels.Choice.VECTOR).floatDot();
    SplittableRandom r = new SplittableRandom(9);
    for (int n : new int[] {1, 7, 8, 15, 16, 17, 63, 64, 65, 256, 1000}) {
      float[] a = new float[n + 3];
      float[] b = new float[n + 5];
      for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
      for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
      double exact = 0;
      double magnitude = 0;
      for (int i = 0; i < n; i++) {
        exact += (double) a[3 + i] * b[5 + i];
        magnitude += Math.abs((double) a[3 + i] * b[5 + i]);
      }
      // 1e-6 relative to Σ|a·b|: float sums in a different order
      assertEquals(exact, vector.dot(a, 3, b, 5, n), 1e-6 * magnitude, "n=" + n);
      assertEquals(exact, FloatDot.SCALAR.dot(a, 3, b, 5, n), 1e-6 * magnitude, "scalar n=" + n);
    }
  }
}
