package org.bitnetspark.engine.kernel;

/**
 * A SiLU-gated feed-forward product in place: {@code gate[i] = silu(gate[i]) · up[i]} for {@code from <= i <
 * to}, with {@code silu(g) = g / (1 + e^-g)} and e^x from {@link FloatExp}. Every implementation gives the
 * same bits. Chosen by {@link Kernels}.
 */
public interface SiluGate {
  void apply(float[] gate, float[] up, int from, int to);

  /** One value, as every implementation computes it. */
  static float of(float g, float up) {
    return g / (1f + FloatExp.exp(-g)) * up;
  }

  /** The reference: one value at a time. */
  SiluGate SCALAR = (gate, up, from, to) -> {
    for (int i = from; i < to; i++) gate[i] = of(gate[i], up[i]);
  };
}
