package org.bitnetspark.engine.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.bitnetspark.engine.error.UnsupportedModelException;

/**
 * The BitNet architectures, by their {@code general.architecture} string (docs/FORMATS.md sections 2,
 * 2.1). The two BitNet graphs use the same block with sub-norms and NEOX RoPE and differ in the FFN
 * activation; {@code llama} is a plain LLaMA block whose projections are ternary (the BitNet
 * fine-tunes of LLaMA-3 and Falcon3): no sub-norms, and llama.cpp's NORM RoPE over q/k rows that its
 * converter permuted.
 */
public enum Architecture {
  /** llama.cpp's {@code bitnet} (1bitLLM bitnet_b1_58): SiLU-gated FFN. */
  BITNET(FfnActivation.SILU, true, true, "bitnet"),
  /**
   * microsoft/BitNet's {@code bitnet-b1.58} (BitNet-b1.58-2B-4T): squared-ReLU FFN, optional
   * biases and rope frequency factors. {@code bitnet-25} is the same graph, and {@code bitnet-1.58}
   * an older spelling of the name.
   */
  BITNET_B158(FfnActivation.RELU_SQUARED, true, true, "bitnet-b1.58", "bitnet-25", "bitnet-1.58"),
  /** HF1BitLLM Llama3-8B-1.58, tiiuae Falcon3-*-1.58bit: LLaMA with ternary projections. */
  LLAMA(FfnActivation.SILU, false, false, "llama");

  public final FfnActivation ffnActivation;
  /** The block has attn_sub_norm and ffn_sub_norm. */
  public final boolean subNorms;
  /** RoPE pairs element i with i + d/2 (NEOX); otherwise with its neighbour (llama.cpp's NORM). */
  public final boolean neoxRope;
  private final String[] names;

  Architecture(FfnActivation ffnActivation, boolean subNorms, boolean neoxRope, String... names) {
    this.ffnActivation = ffnActivation;
    this.subNorms = subNorms;
    this.neoxRope = neoxRope;
    this.names = names;
  }

  /** The name written to {@code general.architecture}. */
  public String ggufName() {
    return names[0];
  }

  public static Architecture fromGgufName(String uri, String name) {
    for (Architecture a : values()) {
      if (Arrays.asList(a.names).contains(name)) return a;
    }
    throw new UnsupportedModelException(uri + ": architecture '" + name + "' is not supported. Supported: "
        + Arrays.stream(values()).flatMap(a -> Arrays.stream(a.names)).collect(Collectors.joining(", "))
        + " (BitNet b1.58 models).");
  }

  public enum FfnActivation {
    SILU, RELU_SQUARED
  }
}
