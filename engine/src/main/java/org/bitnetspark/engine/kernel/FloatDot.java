package org.bitnetspark.engine.kernel;

/** Float dot products for dense matrices (embeddings, output heads); chosen by {@link Kernels}. */
public interface FloatDot {
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /** The reference: a plain loop (the JIT cannot vectorise a float reduction: order matters). */
  FloatDot SCALAR = (a, aOff, b, bOff, n) -> {
    float sum = 0;
    for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
    return sum;
  };
}
