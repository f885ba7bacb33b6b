package org.bitnetspark.engine.tensor;

import org.bitnetspark.engine.gguf.GgmlType;

/**
 * A ternary weight matrix kept packed for its whole life: 2 bits per weight plus scales, never as
 * floats (docs/DESIGN.md "Packed weights").
 *
 * <p>Packing: each row of {@code cols} weights is split into groups of 128; a group takes 32 bytes
 * and byte j of the group holds elements j, j+32, j+64, j+96 in bit pairs 0-1, 2-3, 4-5, 6-7. Codes
 * 0, 1, 2 mean -1, 0, +1. This is TQ2_0's own layout (FORMATS.md 4.1), so TQ2_0 rows are copied as
 * they are, and one 32-byte load yields 32 consecutive weights for a vector kernel.
 *
 * <p>The row-block layouts ({@link Layout#ROW_BLOCKS_64}, {@link Layout#ROW_BLOCKS_16}) serve the
 * lookup-table kernels: rows in blocks of {@link Layout#blockRows}, and for each four weights k = 4m..4m+3
 * one byte per row of the block, the block's bytes side by side. The byte holds two nibbles, one per weight
 * pair: {@code n = code(2j) + 3·code(2j+1)} (0..8) for pair j = 2m in the low nibble and j = 2m+1 in the
 * high one. Scales are stored per block and scale block, in the order the kernel's 16-bit lanes hold the
 * rows: per {@link Layout#vectorRows} rows (one byte vector), the even rows first and then the odd ones.
 * Same bytes per weight; a matrix is repacked into one at load ({@link #toRowBlocks}), and never held in
 * two layouts.
 *
 * <p>Scales: the weight at (r, k) is {@code (code-1) * scales[r*scaleBlocksPerRow + k/scaleBlockSize]},
 * and the matmul output is further multiplied by {@code outputScale} (llama.cpp's separate
 * {@code .scale} tensor; 1 otherwise). TQ types have one scale per 256 weights; I2_S and ternary
 * float tensors have one per tensor (stored once per row). Immutable after construction.
 */
public final class TernaryMatrix {
  /** Weights per packing group. */
  public static final int GROUP = 128;
  /** Bytes per packing group. */
  public static final int GROUP_BYTES = 32;
  /** Row lengths and scale blocks of a row-block matrix are multiples of this. */
  public static final int BLOCK_COLS = 256;

  /** How the codes are laid out in {@link #codes()}. */
  public enum Layout {
    /** Row-major, 128-weight groups (TQ2_0's own layout); every kernel reads it. */
    ROW_GROUPS(1, 1),
    /** Blocks of 64 rows, one 512-bit byte vector per weight quad (the AVX-512 VBMI lookup kernel). */
    ROW_BLOCKS_64(64, 64),
    /** Blocks of 16 rows, one 128-bit byte vector per weight quad (the 128-bit lookup kernel). */
    ROW_BLOCKS_16(16, 16);

    private final int blockRows;
    private final int vectorRows;

    Layout(int blockRows, int vectorRows) {
      this.blockRows = blockRows;
      this.vectorRows = vectorRows;
    }

    /** Rows per block: the unit in which threads split such a matrix (1 for row groups). */
    public int blockRows() {
      return blockRows;
    }

    /** Rows per byte vector of the kernel, whose scales are stored even rows first, then odd. */
    public int vectorRows() {
      return vectorRows;
    }

    public boolean rowBlocks() {
      return this != ROW_GROUPS;
    }
  }

  private final String name;
  private final GgmlType sourceType;
  private final int rows;
  private final int cols;
  private final byte[] codes; // [rows][cols/4]
  private final float[] scales; // [rows][cols/scaleBlockSize]
  private final int scaleBlockSize;
  private final float outputScale;
  private final Layout layout;

  public TernaryMatrix(String name, GgmlType sourceType, int rows, int cols, byte[] codes, float[] scales,
      int scaleBlockSize, float outputScale) {
    this(name, sourceType, rows, cols, codes, scales, scaleBlockSize, outputScale, Layout.ROW_GROUPS);
  }

  private TernaryMatrix(String name, GgmlType sourceType, int rows, int cols, byte[] codes, float[] scales,
      int scaleBlockSize, float outputScale, Layout layout) {
    if (cols % GROUP != 0) {
      throw new IllegalArgumentException(name + ": row length " + cols + " is not a multiple of " + GROUP);
    }
    if (cols % scaleBlockSize != 0) {
      throw new IllegalArgumentException(name + ": scale block " + scaleBlockSize + " does not divide " + cols);
    }
    if (codes.length != (long) rows * cols / 4 || scales.length != (long) rows * (cols / scaleBlockSize)) {
      throw new IllegalArgumentException(name + ": packed arrays do not match " + rows + "x" + cols);
    }
    this.name = name;
    this.sourceType = sourceType;
    this.rows = rows;
    this.cols = cols;
    this.codes = codes;
    this.scales = scales;
    this.scaleBlockSize = scaleBlockSize;
    this.outputScale = outputScale;
    this.layout = layout;
  }

  public Layout layout() {
    return layout;
  }

  /**
   * Whether {@link #toRowBlocks} applies: whole blocks of rows, and row lengths and scale blocks in whole
   * {@value #BLOCK_COLS}-weight chunks (the lookup kernels widen their 16-bit sums once per chunk).
   */
  public boolean fitsRowBlocks(Layout blocks) {
    return rows % blocks.blockRows() == 0 && cols % BLOCK_COLS == 0 && scaleBlockSize % BLOCK_COLS == 0;
  }

  /**
   * This matrix in the row-block layout {@code blocks} (the same bytes of codes, rearranged); this one if
   * it already is. Peak memory is one extra copy of this matrix's codes, while it is repacked.
   */
  public TernaryMatrix toRowBlocks(Layout blocks) {
    if (!blocks.rowBlocks()) throw new IllegalArgumentException(blocks + " is not a row-block layout");
    if (layout == blocks) return this;
    if (layout != Layout.ROW_GROUPS) throw new IllegalStateException(name + " is already repacked as " + layout);
    if (!fitsRowBlocks(blocks)) {
      throw new IllegalArgumentException(name + ": " + rows + "x" + cols + " (scale block " + scaleBlockSize
          + ") does not fit blocks of " + blocks.blockRows() + " rows and " + BLOCK_COLS + " columns");
    }
    int quads = cols / 4;
    int blockRows = blocks.blockRows();
    byte[] packed = new byte[codes.length];
    byte[] row = new byte[cols];
    for (int r = 0; r < rows; r++) {
      unpackRow(r, row);
      int base = (r / blockRows) * quads * blockRows + r % blockRows;
      for (int m = 0; m < quads; m++) {
        int low = row[4 * m] + 3 * row[4 * m + 1];
        int high = row[4 * m + 2] + 3 * row[4 * m + 3];
        packed[base + m * blockRows] = (byte) (low | high << 4);
      }
    }
    int blocksPerRow = scaleBlocksPerRow();
    float[] blockScales = new float[scales.length];
    for (int r = 0; r < rows; r++) {
      for (int sb = 0; sb < blocksPerRow; sb++) {
        blockScales[rowBlockScaleIndex(blocks, r, sb, blocksPerRow)] = scales[r * blocksPerRow + sb];
      }
    }
    return new TernaryMatrix(name, sourceType, rows, cols, packed, blockScales, scaleBlockSize, outputScale, blocks);
  }

  /**
   * Where the scale of row r, scale block sb, sits in a row-block matrix's scales: per block and scale
   * block, per byte vector's rows, even rows then odd.
   */
  private static int rowBlockScaleIndex(Layout blocks, int r, int sb, int blocksPerRow) {
    int blockRows = blocks.blockRows();
    int vectorRows = blocks.vectorRows();
    int inBlock = r % blockRows;
    int inVector = inBlock % vectorRows;
    return ((r / blockRows) * blocksPerRow + sb) * blockRows + (inBlock - inVector)
        + (inVector % 2) * (vectorRows / 2) + inVector / 2;
  }

  /** The scale of row r's scale block {@code block} (weights block·scaleBlockSize onwards). */
  public float scale(int r, int block) {
    int blocksPerRow = scaleBlocksPerRow();
    return layout.rowBlocks() ? scales[rowBlockScaleIndex(layout, r, block, blocksPerRow)]
        : scales[r * blocksPerRow + block];
  }

  public String name() {
    return name;
  }

  public GgmlType sourceType() {
    return sourceType;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Packed codes in this matrix's {@link #layout()}; shared, do not modify. */
  public byte[] codes() {
    return codes;
  }

  /** Weight scales, row-major (row blocks: see the class comment; {@link #scale} reads either); shared, do not modify. */
  public float[] scales() {
    return scales;
  }

  public int scaleBlockSize() {
    return scaleBlockSize;
  }

  public int scaleBlocksPerRow() {
    return cols / scaleBlockSize;
  }

  public float outputScale() {
    return outputScale;
  }

  /** Bytes held on the heap for this matrix. */
  public long residentBytes() {
    return codes.length + 4L * scales.length;
  }

  /** The code (0, 1, 2) of weight (r, k); for tests and slow paths, not for kernels. */
  public int code(int r, int k) {
    if (layout.rowBlocks()) {
      int blockRows = layout.blockRows();
      int b = codes[((r / blockRows) * (cols / 4) + k / 4) * blockRows + r % blockRows] & 0xff;
      int pair = (k & 2) == 0 ? b & 15 : b >> 4;
      return (k & 1) == 0 ? pair % 3 : pair / 3;
    }
    int g = k / GROUP;
    int j = k % GROUP;
    int b = codes[r * (cols / 4) + g * GROUP_BYTES + j % 32] & 0xff;
    return (b >> (2 * (j / 32))) & 3;
  }

  /** Row r's codes (0, 1, 2) in natural order into {@code dst[0, cols)}; for the scalar kernels. */
  public void unpackRow(int r, byte[] dst) {
    if (layout.rowBlocks()) {
      int blockRows = layout.blockRows();
      int base = (r / blockRows) * (cols / 4) * blockRows + r % blockRows;
      for (int m = 0; m < cols / 4; m++) {
        int b = codes[base + m * blockRows] & 0xff;
        int low = b & 15;
        int high = b >> 4;
        dst[4 * m] = (byte) (low % 3);
        dst[4 * m + 1] = (byte) (low / 3);
        dst[4 * m + 2] = (byte) (high % 3);
        dst[4 * m + 3] = (byte) (high / 3);
      }
      return;
    }
    // group by group: byte j of a group holds weights j, j+32, j+64, j+96
    int rowBase = r * (cols / 4);
    for (int g = 0; g < cols / GROUP; g++) {
      for (int j = 0; j < GROUP_BYTES; j++) {
        int b = codes[rowBase + g * GROUP_BYTES + j] & 0xff;
        for (int p = 0; p < 4; p++) dst[g * GROUP + 32 * p + j] = (byte) ((b >> (2 * p)) & 3);
      }
    }
  }

  /** The dequantised weight (r, k) including the output scale. */
  public float weight(int r, int k) {
    return (code(r, k) - 1) * scale(r, k / scaleBlockSize) * outputScale;
  }

  /** Packs codes (0, 1, 2) given in natural element order into the group layout above. */
  public static void packRow(byte[] naturalCodes, int from, int cols, byte[] packed, int packedOffset) {
    for (int g = 0; g < cols / GROUP; g++) {
      for (int j = 0; j < GROUP_BYTES; j++) {
        int e = from + g * GROUP + j;
        packed[packedOffset + g * GROUP_BYTES + j] = (byte) (naturalCodes[e] | naturalCodes[e + 32] << 2
            | naturalCodes[e + 64] << 4 | naturalCodes[e + 96] << 6);
      }
    }
  }
}
