package org.bitnetspark.engine.kernel;

/**
 * The element-wise functions built on {@link FloatExp}, over a range of an array in place: the FFN's SiLU gate
 * and attention's softmax exponentials. Every implementation gives the same bits. Chosen by {@link Kernels}.
 */
public interface ExpKernel {
  /** {@code gate[i] = silu(gate[i]) · up[i]} for {@code from <= i < to}, with {@code silu(g) = g / (1 + e^-g)}. */
  void siluGate(float[] gate, float[] up, int from, int to);

  /**
   * {@code x[i] = e^(x[i] - max)} for {@code from <= i < to}: a softmax's exponentials, {@code max} being the
   * largest {@code x[i]}, so that none overflows. Below e^-87 a value is clamped to e^-87 ({@link FloatExp}),
   * which a softmax cannot tell from 0: the largest term is 1, and e^-87 is 1.6e-38.
   */
  void expMinus(float[] x, int from, int to, float max);

  /** One gated value, as every implementation computes it. */
  static float silu(float g, float up) {
    return g / (1f + FloatExp.exp(-g)) * up;
  }

  /** One softmax exponential, as every implementation computes it. */
  static float expMinus(float x, float max) {
    return FloatExp.exp(x - max);
  }

  /** The reference: one value at a time. */
  ExpKernel SCALAR = new ExpKernel() {
    @Override
    public void siluGate(float[] gate, float[] up, int from, int to) {
      for (int i = from; i < to; i++) gate[i] = silu(gate[i], up[i]);
    }

    @Override
    public void expMinus(float[] x, int from, int to, float max) {
      for (int i = from; i < to; i++) x[i] = ExpKernel.expMinus(x[i], max);
    }

    @Override
    public String toString() {
      return "scalar";
    }
  };
}
