package org.bitnetspark.engine.model;

import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.gguf.GgufMetadata;

/**
 * The hyper-parameters of a BitNet model: "the blueprint".
 *
 * @param architecture which graph variant
 * @param dim n_embd, the residual stream width
 * @param ffnDim n_ff, the FFN hidden width
 * @param layers n_layer
 * @param heads query heads
 * @param kvHeads key/value heads (GQA: {@code heads} is a multiple)
 * @param vocabSize rows of the embedding table
 * @param contextLength n_ctx_train: the longest sequence the model supports
 * @param rmsEps RMSNorm epsilon
 * @param ropeTheta RoPE frequency base
 */
public record ModelConfig(Architecture architecture, int dim, int ffnDim, int layers, int heads, int kvHeads,
    int vocabSize, int contextLength, float rmsEps, float ropeTheta) {

  public ModelConfig {
    require(dim > 0 && ffnDim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && vocabSize > 0 && contextLength > 0,
        "every size must be positive");
    require(dim % heads == 0, "embedding length " + dim + " is not a multiple of head count " + heads);
    require(heads % kvHeads == 0, "head count " + heads + " is not a multiple of kv head count " + kvHeads);
    require((dim / heads) % 2 == 0, "head dimension " + dim / heads + " must be even for RoPE");
    require(rmsEps > 0, "rms epsilon must be positive");
    require(ropeTheta > 0, "rope theta must be positive");
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  public int headDim() {
    return dim / heads;
  }

  /** Width of K and V: kvHeads * headDim. */
  public int kvDim() {
    return kvHeads * headDim();
  }

  /** Reads the config from GGUF metadata; keys are prefixed by the architecture name (FORMATS.md 2). */
  public static ModelConfig fromGguf(String uri, GgufMetadata m, int vocabSize) {
    String archName = m.getString("general.architecture");
    Architecture arch = Architecture.fromGgufName(uri, archName);
    String a = archName + ".";
    int heads = m.getInt(a + "attention.head_count");
    int dim = m.getInt(a + "embedding_length");
    ModelConfig c;
    try {
      c = new ModelConfig(arch, dim, m.getInt(a + "feed_forward_length"), m.getInt(a + "block_count"), heads,
          m.getInt(a + "attention.head_count_kv", heads), vocabSize, m.getInt(a + "context_length"),
          m.getFloat(a + "attention.layer_norm_rms_epsilon"), m.getFloat(a + "rope.freq_base", 10000f));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(uri + ": inconsistent hyper-parameters: " + e.getMessage());
    }
    if (m.contains(a + "rope.dimension_count") && m.getInt(a + "rope.dimension_count") != c.headDim()) {
      throw new ModelFormatException(uri + ": " + a + "rope.dimension_count = " + m.getInt(a + "rope.dimension_count")
          + " but the head dimension is " + c.headDim() + "; partial rotary embeddings are not supported");
    }
    return c;
  }
}
