package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.quant.Float16;

/** Float dot products for dense matrices (embeddings, output heads); chosen by {@link Kernels}. */
public interface FloatDot {
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /**
   * The dot product of halves, each decoded as {@link HalfDecoder#decodeScaled} does (finite halves
   * only), with {@code x}: bit for bit what {@link #dot} gives on the decoded row, without writing the
   * row out and reading it back (one vector of a batch: a decode step's output head).
   */
  float dotScaledHalves(short[] halves, int hOff, float[] x, int xOff, int n);

  /** The reference: plain loops (the JIT cannot vectorise a float reduction: order matters). */
  FloatDot SCALAR = new FloatDot() {
    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
      float sum = 0;
      for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
      return sum;
    }

    @Override
    public float dotScaledHalves(short[] halves, int hOff, float[] x, int xOff, int n) {
      float sum = 0;
      for (int i = 0; i < n; i++) sum += Float16.toFloat(halves[hOff + i]) * HalfDecoder.SCALE * x[xOff + i];
      return sum;
    }
  };
}
