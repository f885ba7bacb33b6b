package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * The ternary matrix product, the engine's hot loop: {@code out[b*rows + r] = Σ_k W[r,k] x[b,k]}
 * for rows {@code [rowStart, rowEnd)} of W and every vector b of the batch. One pass over a
 * weight row serves the whole batch, so a batch shares the memory traffic.
 *
 * <p>Implementations are stateless and thread-safe; callers split rows across threads
 * ({@link ParallelRows}). The output scale of W is not applied here.
 */
public interface TernaryKernel {

  /** A short name for logs and benchmarks. */
  String name();

  /**
   * int8 activations: per segment where both the activation block and the weight-scale block are
   * constant, an exact integer sum {@code Σ (code-1)·q}, then {@code out += isum * (d_act * d_w)} in
   * float, as ggml's {@code vec_dot_tq2_0_q8_K} does (FORMATS.md 4.4).
   */
  void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd);

  /**
   * Whether {@link #matmul} on a row-block matrix ({@link TernaryMatrix.Layout#rowBlocks}) reads the activations'
   * lookup tables, which the caller then builds first ({@link QuantizedActivations#prepareLookupTables}).
   */
  default boolean readsLookupTables() {
    return false;
  }

  /** Float activations ({@code x[b*cols + k]}): {@code out = Σ_blocks d_w * Σ_k (code-1)·x}. */
  void matmulFloat(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd);
}
