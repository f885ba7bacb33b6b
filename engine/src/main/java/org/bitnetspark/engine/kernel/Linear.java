package org.bitnetspark.engine.kernel;

/**
 * A weight matrix applied to a batch of vectors: {@code out[b*rows + r] = Σ_k W[r,k] x[b*cols + k]}.
 * Ternary layers are {@link TernaryLinear}; embeddings, output heads and non-ternary weights are
 * {@link DenseLinear}. Immutable and shareable across threads; the mutable state is in {@link Compute}.
 */
public interface Linear {
  int rows();

  int cols();

  /** Bytes this matrix keeps resident (heap, or mapped file pages for dense tensors). */
  long residentBytes();

  /** A short description for {@code info}: type and shape. */
  String describe();

  void forward(float[] x, int batch, float[] out, Compute compute);
}
