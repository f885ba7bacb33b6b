package org.bitnetspark.engine.kernel;

import java.util.Locale;

/**
 * How the input of each ternary matmul is quantised (docs/FORMATS.md sections 4.3-4.5).
 */
public enum ActivationQuant {
  /**
   * The paper's scheme (arXiv 2402.17764, section 2): int8 with one absmax scale per token over the
   * whole vector; what the real models were trained with and what bitnet.cpp's I2_S kernels do.
   */
  PER_TOKEN("per-token"),
  /** llama.cpp's Q8_K: int8 with one scale per 256-element block; reproduces llama.cpp on TQ files. */
  Q8K("q8k"),
  /** No quantisation: float activations; reproduces llama.cpp on F32 files. */
  NONE("none");

  public final String optionName;

  ActivationQuant(String optionName) {
    this.optionName = optionName;
  }

  /** Parses an option value such as {@code per-token}; the error lists the valid values. */
  public static ActivationQuant parse(String s) {
    for (ActivationQuant a : values()) {
      if (a.optionName.equals(s.toLowerCase(Locale.ROOT))) return a;
    }
    throw new IllegalArgumentException("activation-quant '" + s + "' is not one of per-token, q8k, none");
  }

  @Override
  public String toString() {
    return optionName;
  }
}
