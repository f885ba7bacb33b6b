package org.bitnetspark.engine.eval;

/**
 * Summed negative log-likelihood over scored tokens: summable across chunks, documents and
 * executors, so a corpus perplexity is the token-weighted combination of its parts.
 *
 * @param nllSum Σ -log p(token | context), natural log
 * @param tokensScored how many tokens were scored
 * @param chunks how many windows were evaluated
 */
public record PerplexityResult(double nllSum, long tokensScored, int chunks) {

  public static final PerplexityResult EMPTY = new PerplexityResult(0, 0, 0);

  public double meanNll() {
    return tokensScored == 0 ? Double.NaN : nllSum / tokensScored;
  }

  public double perplexity() {
    return Math.exp(meanNll());
  }

  public PerplexityResult plus(PerplexityResult o) {
    return new PerplexityResult(nllSum + o.nllSum, tokensScored + o.tokensScored, chunks + o.chunks);
  }
}
