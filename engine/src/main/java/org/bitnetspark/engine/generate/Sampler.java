package org.bitnetspark.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from logits, in llama.cpp's default order: repetition penalty, top-k,
 * top-p, min-p, temperature, then a draw. One sampler per sequence: it owns the sequence's random
 * stream, so a sequence's tokens depend only on its seed, never on what else is in the batch.
 */
public final class Sampler {
  private final SamplingParams params;
  private final SplittableRandom random;
  private long[] keys = new long[0];
  private float[] probs = new float[0];
  private float[] candidateLogits = new float[0];

  public Sampler(SamplingParams params) {
    this.params = params;
    this.random = new SplittableRandom(params.seed());
  }

  /**
   * Picks a token. {@code logits[off .. off+vocab)} may be modified (penalties).
   *
   * @param history the tokens so far (prompt and generated), for the repetition penalty
   */
  public int sample(float[] logits, int off, int vocab, int[] history, int historyLength) {
    if (params.repeatPenalty() != 1f && params.repeatLastN() > 0) {
      penalise(logits, off, history, historyLength);
    }
    if (params.greedy()) return argmax(logits, off, vocab);
    int n = sortedCandidates(logits, off, vocab, params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab);
    // probabilities before temperature, for top-p and min-p (as llama.cpp's chain does)
    softmax(n, 1f);
    if (params.topP() < 1f) {
      double cum = 0;
      int keep = n;
      for (int i = 0; i < n; i++) {
        cum += probs[i];
        if (cum >= params.topP()) {
          keep = i + 1;
          break;
        }
      }
      n = keep;
    }
    if (params.minP() > 0f) {
      float threshold = probs[0] * params.minP();
      int keep = 1;
      while (keep < n && probs[keep] >= threshold) keep++;
      n = keep;
    }
    softmax(n, params.temperature());
    double u = random.nextDouble();
    double cum = 0;
    for (int i = 0; i < n; i++) {
      cum += probs[i];
      if (u < cum) return id(i);
    }
    return id(n - 1);
  }

  /** Highest logit, lowest id on ties (the reference files' greedy rule). */
  public static int argmax(float[] logits, int off, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++) if (logits[off + i] > logits[off + best]) best = i;
    return best;
  }

  private void penalise(float[] logits, int off, int[] history, int length) {
    float p = params.repeatPenalty();
    int from = Math.max(0, length - params.repeatLastN());
    int[] recent = Arrays.copyOfRange(history, from, length);
    Arrays.sort(recent);
    for (int i = 0; i < recent.length; i++) {
      if (i > 0 && recent[i] == recent[i - 1]) continue; // each token penalised once
      int t = off + recent[i];
      logits[t] = logits[t] > 0 ? logits[t] / p : logits[t] * p;
    }
  }

  /**
   * Orders candidates best first (lowest id first on ties) by packing (order key, id) into longs so
   * one primitive sort does it, and keeps the logits of the best {@code k}.
   */
  private int sortedCandidates(float[] logits, int off, int vocab, int k) {
    if (keys.length < vocab) {
      keys = new long[vocab];
      probs = new float[vocab];
      candidateLogits = new float[vocab];
    }
    for (int i = 0; i < vocab; i++) keys[i] = ((long) sortKey(logits[off + i]) << 32) | i;
    Arrays.sort(keys, 0, vocab);
    for (int i = 0; i < k; i++) candidateLogits[i] = logits[off + id(i)];
    return k;
  }

  /** An int whose signed order is the descending order of the floats. */
  private static int sortKey(float f) {
    int bits = Float.floatToIntBits(f);
    int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone map of float order onto int order
    return -ascending - 1; // reversed, without overflow
  }

  private int id(int rank) {
    return (int) keys[rank];
  }

  /** probs[0..n) = softmax(candidateLogits[0..n) / temperature). */
  private void softmax(int n, float temperature) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) max = Math.max(max, candidateLogits[i] / temperature);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      probs[i] = (float) Math.exp(candidateLogits[i] / temperature - max);
      sum += probs[i];
    }
    for (int i = 0; i < n; i++) probs[i] = (float) (probs[i] / sum);
  }
}
