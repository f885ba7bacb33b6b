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
    return of(logits, off, vocab).logProb(target);
  }

  /** One row's softmax normaliser, for reading several targets from the same logits. */
  public static Row of(float[] logits, int off, int vocab) {
    float max = Float.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
    double sum = 0;
    for (int v = 0; v < vocab; v++) sum += (float) Math.exp(logits[off + v] - max);
    return new Row(logits, off, max, Math.log(sum));
  }

  /** A row of logits with its max and log Σ exp(logit - max). */
  public record Row(float[] logits, int off, float max, double logSum) {
    public double logProb(int target) {
      return logits[off + target] - max - logSum;
    }
  }
}
