package org.bitnetspark.engine.checkpoint;

import java.nio.ByteBuffer;
import org.bitnetspark.engine.error.ModelFormatException;

/**
 * A ternary matrix as codes (0, 1, 2 for -1, 0, +1), row-major [rows][columns], with one scale: weight
 * = scale × (code - 1). The two ways checkpoints give one, and the row permutation llama.cpp applies to
 * LLaMA's q/k projections.
 */
public record TernaryWeights(byte[] codes, int rows, int columns, float scale) {

  /**
   * BitNet b1.58's absmean quantisation (paper eq. 1-3; 1bitLLM's {@code weight_quant}): s = 1 / max(mean|W|,
   * 1e-5), code = clamp(round(W·s), -1, 1) (round half to even, as torch.round), scale = 1/s.
   */
  public static TernaryWeights absmean(float[] w, int rows, int columns) {
    double sum = 0;
    for (float v : w) sum += Math.abs(v);
    float mean = (float) (sum / w.length);
    float s = 1f / Math.max(mean, 1e-5f);
    byte[] codes = new byte[w.length];
    for (int i = 0; i < w.length; i++) codes[i] = (byte) (Math.max(-1f, Math.min(1f, (float) Math.rint(w[i] * s))) + 1);
    return new TernaryWeights(codes, rows, columns, 1f / s);
  }

  /**
   * The packed layout of Hugging Face's BitNet integration (BitNet-b1.58-2B-4T, Llama3-8B-1.58, Falcon3
   * 1.58bit): a uint8 tensor [rows/4][columns] whose bit pair k of byte [r][c] is the code of row
   * k·rows/4 + r; the real weight is (code - 1) / weight_scale (FORMATS.md section 5).
   */
  public static TernaryWeights hfPacked(String name, ByteBuffer packed, int rows, int columns, float weightScale) {
    if (rows % 4 != 0) throw new ModelFormatException(name + ": " + rows + " rows is not a multiple of 4");
    if (!(weightScale > 0) || Float.isInfinite(weightScale)) {
      throw new ModelFormatException(name + ": weight_scale " + weightScale + " must be positive and finite");
    }
    int quarter = rows / 4;
    byte[] codes = new byte[rows * columns];
    for (int r = 0; r < quarter; r++) {
      for (int c = 0; c < columns; c++) {
        int b = packed.get(r * columns + c) & 0xff;
        for (int k = 0; k < 4; k++) {
          int code = (b >> (2 * k)) & 3;
          if (code == 3) throw new ModelFormatException(name + ": code 3 at [" + r + ", " + c + "] is not ternary");
          codes[(k * quarter + r) * columns + c] = (byte) code;
        }
      }
    }
    return new TernaryWeights(codes, rows, columns, 1f / weightScale);
  }

  /**
   * llama.cpp's converter permutation of LLaMA q/k rows (Hugging Face's rotate-half layout to the
   * interleaved pairs of its NORM RoPE): within each head, new row 2j + i is old row i·headDim/2 + j.
   */
  public TernaryWeights permuteForNormRope(int heads) {
    int headDim = rows / heads;
    byte[] out = new byte[codes.length];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < headDim / 2; j++) {
          int from = h * headDim + i * headDim / 2 + j;
          int to = h * headDim + 2 * j + i;
          System.arraycopy(codes, from * columns, out, to * columns, columns);
        }
      }
    }
    return new TernaryWeights(out, rows, columns, scale);
  }
}
