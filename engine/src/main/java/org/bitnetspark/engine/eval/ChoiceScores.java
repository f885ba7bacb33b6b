package org.bitnetspark.engine.eval;

/**
 * The scores of one multiple-choice task: per choice, the summed log-likelihood of its continuation
 * tokens, how many tokens that was, and the choice's length in UTF-8 bytes. The three decisions are
 * the three usual metrics; ties go to the lowest index, as numpy's argmax in lm-evaluation-harness.
 *
 * @param logLikelihoods Σ log p(token | everything before it) over each choice's continuation tokens
 * @param tokenCounts how many tokens each sum covers (the tokens after the choices' shared prefix)
 * @param byteLengths each choice's text length in UTF-8 bytes (the acc_norm denominator)
 * @param sharedPrefixTokens tokens all choices share (context, BOS included), evaluated once when shared
 * @param evaluatedTokens tokens the forward pass ran for this task (the work done)
 */
public record ChoiceScores(double[] logLikelihoods, int[] tokenCounts, int[] byteLengths, int sharedPrefixTokens,
    long evaluatedTokens) {

  /** acc: the highest summed log-likelihood. */
  public int chosen() {
    return argmax(logLikelihoods, null);
  }

  /** acc_norm (lm-evaluation-harness): the highest log-likelihood per byte of the choice's text. */
  public int chosenPerByte() {
    return argmax(logLikelihoods, byteLengths);
  }

  /** llama.cpp's HellaSwag metric: the highest mean log-likelihood per continuation token. */
  public int chosenPerToken() {
    return argmax(logLikelihoods, tokenCounts);
  }

  private static int argmax(double[] values, int[] divisors) {
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < values.length; i++) {
      double v = divisors == null ? values[i] : values[i] / divisors[i];
      if (v > bestValue) {
        best = i;
        bestValue = v;
      }
    }
    return best;
  }
}
