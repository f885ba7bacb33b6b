package org.bitnetspark.engine.generate;

/**
 * How the next token is chosen. The defaults are llama.cpp's (temperature 0.8, top-k 40, top-p
 * 0.95, min-p 0.05, no repetition penalty) with a fixed seed, so that runs are reproducible.
 *
 * @param temperature 0 (or less) means greedy: the highest logit, lowest id on ties
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set whose probability reaches p; 1 keeps all
 * @param minP drop tokens less likely than minP times the most likely; 0 keeps all
 * @param repeatPenalty divide positive (multiply negative) logits of recent tokens; 1 disables
 * @param repeatLastN how many recent tokens the penalty looks at
 * @param seed the random seed; the same seed gives the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
    int repeatLastN, long seed) {

  public static final long DEFAULT_SEED = 42;
  public static final SamplingParams DEFAULT = new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, DEFAULT_SEED);
  public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0f, 1f, 64, DEFAULT_SEED);

  public SamplingParams {
    check(Float.isFinite(temperature) && temperature >= 0, "temperature " + temperature + " must be >= 0");
    check(topK >= 0, "top-k " + topK + " must be >= 0 (0 disables it)");
    check(topP > 0 && topP <= 1, "top-p " + topP + " must be in (0, 1]");
    check(minP >= 0 && minP < 1, "min-p " + minP + " must be in [0, 1)");
    check(Float.isFinite(repeatPenalty) && repeatPenalty > 0, "repeat-penalty " + repeatPenalty + " must be > 0");
    check(repeatLastN >= 0, "repeat-last-n " + repeatLastN + " must be >= 0");
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  public boolean greedy() {
    return temperature <= 0;
  }

  public SamplingParams withSeed(long newSeed) {
    return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, newSeed);
  }
}
