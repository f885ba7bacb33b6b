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
 * @param tokenEmbedding [vocab][dim], also the output head when {@code output} is absent
 * @param outputNorm [dim]
 * @param output [vocab][dim] output head ({@code output.weight} or the tied embedding)
 * @param ropeFreqFactors [headDim/2] divisors of the RoPE frequencies, or null
 */
public record BitNetModel(String uri, ModelConfig config, Tokenizer tokenizer, DenseLinear tokenEmbedding,
    List<LayerWeights> layers, float[] outputNorm, Linear output, float[] ropeFreqFactors, GgufFile file) {

  /** Bytes the weights keep resident: packed ternary matrices plus the mapped dense tensors. */
  public long residentWeightBytes() {
    long total = tokenEmbedding.residentBytes() + 4L * outputNorm.length;
    if (output != tokenEmbedding) total += output.residentBytes();
    for (LayerWeights l : layers) {
      for (Linear p : l.projections()) total += p.residentBytes();
      total += 4L * (l.attnNorm().length + l.ffnNorm().length);
      if (l.attnSubNorm() != null) total += 4L * (l.attnSubNorm().length + l.ffnSubNorm().length);
    }
    return total;
  }
}
