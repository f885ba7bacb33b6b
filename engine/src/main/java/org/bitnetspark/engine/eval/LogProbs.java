package org.bitnetspark.engine.eval;

/**
 * Log-probabilities from logits, computed as llama.cpp's perplexity and HellaSwag code does so our
 * numbers are comparable with it: the max in float, each {@code exp(logit - max)} in float, their
 * sum and the log in double.
 */
public final class LogProbs {
  private LogProbs() {}

  /** log softmax(logits[off .. off+vocab))[target]. */
  public static double logProb(float[] logits, int off, int vocab, int target) {
    float max = Float.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
    double sum = 0;
    for (int v = 0; v < vocab; v++) sum += (float) Math.exp(logits[off + v] - max);
    return logits[off + target] - max - Math.log(sum);
  }
}
