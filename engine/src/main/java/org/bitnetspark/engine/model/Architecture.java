package org.bitnetspark.engine.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.bitnetspark.engine.error.UnsupportedModelException;

/**
 * The BitNet architectures, by their {@code general.architecture} string (docs/FORMATS.md sections 2,
 * 2.1). Both use the same block with sub-norms and NEOX RoPE; they differ in the FFN activation.
 */
public enum Architecture {
  /** llama.cpp's {@code bitnet} (1bitLLM bitnet_b1_58): SiLU-gated FFN. */
  BITNET(FfnActivation.SILU, "bitnet"),
  /**
   * microsoft/BitNet's {@code bitnet-b1.58} (BitNet-b1.58-2B-4T): squared-ReLU FFN, optional
   * biases and rope frequency factors. {@code bitnet-25} is the same graph, and {@code bitnet-1.58}
   * an older spelling of the name.
   */
  BITNET_B158(FfnActivation.RELU_SQUARED, "bitnet-b1.58", "bitnet-25", "bitnet-1.58");

  public final FfnActivation ffnActivation;
  private final String[] names;

  Architecture(FfnActivation ffnActivation, String... names) {
    this.ffnActivation = ffnActivation;
    this.names = names;
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
