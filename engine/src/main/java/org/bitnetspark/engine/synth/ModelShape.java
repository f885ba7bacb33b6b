package org.bitnetspark.engine.synth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bitnetspark.engine.model.Architecture;

/**
 * The shapes of real BitNet b1.58 models (from their published configs), for synthetic
 * random-weight models of the right size: benchmarks and quick starts where text quality does not
 * matter.
 */
public enum ModelShape {
  /** The shared test fixtures' size: 4 layers of 256. */
  TINY(Architecture.BITNET, 256, 512, 4, 8, 4, 32000, 256, 10000f),
  /** 1bitLLM/bitnet_b1_58-large (~700M parameters). */
  SHAPE_700M(Architecture.BITNET, 1536, 4096, 24, 16, 16, 32002, 2048, 10000f),
  /** 1bitLLM/bitnet_b1_58-3B; its width 3200 is not a multiple of 256, so only I2_S and F32 fit it. */
  SHAPE_3B(Architecture.BITNET, 3200, 8640, 26, 32, 32, 32002, 2048, 10000f),
  /** microsoft/BitNet-b1.58-2B-4T. */
  SHAPE_2B4T(Architecture.BITNET_B158, 2560, 6912, 30, 20, 5, 128256, 4096, 500000f),
  /** HF1BitLLM/Llama3-8B-1.58. */
  SHAPE_8B(Architecture.BITNET, 4096, 14336, 32, 32, 8, 128256, 8192, 500000f);

  public final Architecture architecture;
  public final int dim;
  public final int ffnDim;
  public final int layers;
  public final int heads;
  public final int kvHeads;
  public final int vocabSize;
  public final int contextLength;
  public final float ropeTheta;

  ModelShape(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads, int vocabSize,
      int contextLength, float ropeTheta) {
    this.architecture = architecture;
    this.dim = dim;
    this.ffnDim = ffnDim;
    this.layers = layers;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.vocabSize = vocabSize;
    this.contextLength = contextLength;
    this.ropeTheta = ropeTheta;
  }

  /** The option name: tiny, 700m, 3b, 2b4t, 8b. */
  public String optionName() {
    return name().replace("SHAPE_", "").toLowerCase(Locale.ROOT);
  }

  public static ModelShape parse(String s) {
    for (ModelShape m : values()) if (m.optionName().equals(s.toLowerCase(Locale.ROOT))) return m;
    throw new IllegalArgumentException("shape '" + s + "' is not one of "
        + Arrays.stream(values()).map(ModelShape::optionName).collect(Collectors.joining(", ")));
  }

  /** Parameters in the ternary projections. */
  public long ternaryParameters() {
    long kvDim = (long) dim / heads * kvHeads;
    return layers * (2L * dim * dim + 2L * dim * kvDim + 3L * dim * ffnDim);
  }
}
