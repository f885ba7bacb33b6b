package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.gguf.GgmlType;

/**
 * Dot products of a Q8_0 matrix row with an input quantised to Q8_0 blocks, as ggml computes a Q8_0
 * matmul ({@code ggml_vec_dot_q8_0_q8_0}): per block of 32 an exact integer sum of int8 products, times
 * the row block's scale and the input block's scale, summed in float. Reading one byte per weight
 * instead of dequantising to floats is what makes a quantised output head cheap (the tied embedding is
 * a third of the bytes a 700M-shape decode step reads). Chosen by {@link Kernels}.
 */
public interface Q8BlockDot {
  /** Bytes of one Q8_0 block in a row: an fp16 scale, then 32 int8 values. */
  int BLOCK_BYTES = GgmlType.Q8_0.blockBytes;
  int BLOCK = GgmlType.Q8_0.blockSize;

  /**
   * Σ over blocks b in [0, blocks) of {@code wScales[b] * aScales[aBlock + b] * Σ_j q_b[j] * aq[aOff + 32b + j]},
   * where {@code q_b} are the 32 int8 values of block b of the row at {@code q8[rowOff]} (raw Q8_0 bytes,
   * block b at {@code rowOff + 34b}; its fp16 scale is decoded by the caller into {@code wScales[b]}).
   * Input values must lie in [-127, 127] ({@code Quantize.q8_0} makes them so): every block's two 16-lane halves then sum without
   * 16-bit overflow.
   */
  float dot(byte[] q8, int rowOff, float[] wScales, short[] aq, int aOff, float[] aScales, int aBlock, int blocks);

  /** The reference: ggml's loop, block by block in order. */
  Q8BlockDot SCALAR = (q8, rowOff, wScales, aq, aOff, aScales, aBlock, blocks) -> {
    float sum = 0;
    for (int b = 0; b < blocks; b++) {
      int dot = 0;
      for (int j = 0; j < BLOCK; j++) dot += q8[rowOff + b * BLOCK_BYTES + 2 + j] * aq[aOff + b * BLOCK + j];
      sum += dot * (wScales[b] * aScales[aBlock + b]);
    }
    return sum;
  };
}
