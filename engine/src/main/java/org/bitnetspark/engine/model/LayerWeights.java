package org.bitnetspark.engine.model;

import org.bitnetspark.engine.kernel.Linear;

/**
 * The weights of one BitNet block (FORMATS.md section 3). Projections are usually ternary.
 *
 * @param attnNorm [dim]
 * @param wq [dim][dim]
 * @param wk [kvDim][dim]
 * @param wv [kvDim][dim]
 * @param attnSubNorm [dim], applied to the attention output before wo (null in the {@code llama} arch)
 * @param wo [dim][dim]
 * @param ffnNorm [dim]
 * @param wGate [ffnDim][dim]
 * @param wUp [ffnDim][dim]
 * @param ffnSubNorm [ffnDim], applied before wDown (null in the {@code llama} arch)
 * @param wDown [dim][ffnDim]
 * @param bq [dim] or null (bitnet-b1.58 optional biases; likewise bk, bv, bo)
 */
public record LayerWeights(float[] attnNorm, Linear wq, Linear wk, Linear wv, float[] attnSubNorm, Linear wo,
    float[] ffnNorm, Linear wGate, Linear wUp, float[] ffnSubNorm, Linear wDown,
    float[] bq, float[] bk, float[] bv, float[] bo) {

  /** The seven projections, in graph order. */
  public Linear[] projections() {
    return new Linear[] {wq, wk, wv, wo, wGate, wUp, wDown};
  }
}
