package org.bitnetspark.engine.model;

import org.bitnetspark.engine.kernel.ParallelRows;

/**
 * RMSNorm as ggml computes it: the sum of squares in double, {@code scale = 1/sqrt(mean + eps)} in
 * float, then {@code x * scale * weight} (ggml-cpu.c {@code ggml_compute_forward_rms_norm_f32}).
 */
final class RmsNorm {
  private RmsNorm() {}

  /**
   * Normalises {@code rows} rows of {@code n} values of {@code x} into {@code out} (may be {@code x}), the
   * rows split across {@code parallel}'s threads (each row is its own sum, so the split changes nothing).
   */
  static void apply(float[] x, float[] weight, int rows, int n, float eps, float[] out, ParallelRows parallel) {
    parallel.forRows(rows, ROWS_PER_HAND_OFF, (from, to) -> {
      for (int r = from; r < to; r++) row(x, weight, r * n, n, eps, out);
    });
  }

  /** The fewest rows worth a hand-off: a row of a few thousand values is a few microseconds. */
  private static final int ROWS_PER_HAND_OFF = 4;

  private static void row(float[] x, float[] weight, int base, int n, float eps, float[] out) {
    double sum = 0;
    for (int i = 0; i < n; i++) sum += (double) x[base + i] * x[base + i];
    float mean = (float) (sum / n);
    float scale = (float) (1.0 / Math.sqrt(mean + eps));
    for (int i = 0; i < n; i++) out[base + i] = x[base + i] * scale * weight[i];
  }
}
