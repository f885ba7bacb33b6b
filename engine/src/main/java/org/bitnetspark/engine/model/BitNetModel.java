package org.bitnetspark.engine.model;

import java.util.List;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.kernel.DenseLinear;
import org.bitnetspark.engine.kernel.Linear;
import org.bitnetspark.engine.tokenizer.Tokenizer;

/**
 * A loaded model: config, tokenizer and weights. Immutable and safe to share between threads and
 * forward passes; dense tensors read from the file mapping, which stays valid while this object is
 * reachable.
 *
 * <p>A {@link ModelPart} other than the whole model holds only what that part runs: {@code layers}
 * are the part's layers (index 0 is layer {@code part.layers().start()}), each projection sliced to
 * the part's rows, and the embedding and head are null where the part has none.
 *
 * @param tokenEmbedding [vocab][dim] (a tensor shard: its vocabulary rows), also the output head
 *     when {@code output.weight} is absent
 * @param outputNorm [dim]
 * @param output [vocab][dim] output head ({@code output.weight} or the tied embedding)
 * @param ropeFreqFactors [headDim/2] divisors of the RoPE frequencies, or null
 */
public record BitNetModel(String uri, ModelConfig config, Tokenizer tokenizer, ModelPart part,
    DenseLinear tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, Linear output, float[] ropeFreqFactors,
    GgufFile file) {

  /** Bytes the weights keep resident: packed ternary matrices plus the mapped dense tensors. */
  public long residentWeightBytes() {
    long total = 4L * outputNorm.length;
    if (tokenEmbedding != null) total += tokenEmbedding.residentBytes();
    if (output != null && output != tokenEmbedding) total += output.residentBytes();
    for (LayerWeights l : layers) {
      for (Linear p : l.projections()) total += p.residentBytes();
      total += 4L * (l.attnNorm().length + l.ffnNorm().length);
      if (l.attnSubNorm() != null) total += 4L * (l.attnSubNorm().length + l.ffnSubNorm().length);
    }
    return total;
  }
}
