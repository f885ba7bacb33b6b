package org.bitnetspark.engine.model;

/**
 * RMSNorm as ggml computes it: the sum of squares in double, {@code scale = 1/sqrt(mean + eps)} in
 * float, then {@code x * scale * weight} (ggml-cpu.c {@code ggml_compute_forward_rms_norm_f32}).
 */
final class RmsNorm {
  private RmsNorm() {}

  /** Normalises {@code rows} rows of {@code n} values of {@code x} into {@code out} (may be {@code x}). */
  static void apply(float[] x, float[] weight, int rows, int n, float eps, float[] out) {
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      double sum = 0;
      for (int i = 0; i < n; i++) sum += (double) x[base + i] * x[base + i];
      float mean = (float) (sum / n);
      float scale = (float) (1.0 / Math.sqrt(mean + eps));
      for (int i = 0; i < n; i++) out[base + i] = x[base + i] * scale * weight[i];
    }
  }
}
