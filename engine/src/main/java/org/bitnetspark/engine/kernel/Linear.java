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

  /**
   * {@code ws[i]} over the same input into {@code outs[i]}, for every i: the same results as calling
   * {@link #forward} on each, but ternary matrices share one quantised input and one hand-off to the row
   * threads ({@link TernaryLinear#forwardShared}).
   */
  static void forwardAll(Linear[] ws, float[] x, int batch, float[][] outs, Compute compute) {
    if (ws.length != outs.length) throw new IllegalArgumentException(ws.length + " matrices but " + outs.length + " outputs");
    boolean shareable = compute.activationQuant() != ActivationQuant.NONE;
    for (Linear w : ws) shareable &= w instanceof TernaryLinear && w.cols() == ws[0].cols();
    if (!shareable) {
      for (int i = 0; i < ws.length; i++) ws[i].forward(x, batch, outs[i], compute);
      return;
    }
    TernaryLinear[] ternary = new TernaryLinear[ws.length];
    for (int i = 0; i < ws.length; i++) ternary[i] = (TernaryLinear) ws[i];
    TernaryLinear.forwardShared(ternary, x, batch, outs, compute);
  }
}
