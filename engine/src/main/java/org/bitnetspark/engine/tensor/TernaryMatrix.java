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

  private final String name;
  private final GgmlType sourceType;
  private final int rows;
  private final int cols;
  private final byte[] codes; // [rows][cols/4]
  private final float[] scales; // [rows][cols/scaleBlockSize]
  private final int scaleBlockSize;
  private final float outputScale;

  public TernaryMatrix(String name, GgmlType sourceType, int rows, int cols, byte[] codes, float[] scales,
      int scaleBlockSize, float outputScale) {
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

  /** Packed codes, row-major; shared, do not modify. */
  public byte[] codes() {
    return codes;
  }

  /** Weight scales, row-major; shared, do not modify. */
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
    int g = k / GROUP;
    int j = k % GROUP;
    int b = codes[r * (cols / 4) + g * GROUP_BYTES + j % 32] & 0xff;
    return (b >> (2 * (j / 32))) & 3;
  }

  /** The dequantised weight (r, k) including the output scale. */
  public float weight(int r, int k) {
    return (code(r, k) - 1) * scales[r * scaleBlocksPerRow() + k / scaleBlockSize] * outputScale;
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
