package org.bitnetspark.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Sampling rules on hand-made distributions. */
class SamplerTest {
  private static final int[] NO_HISTORY = new int[0];

  private static SamplingParams params(float temp, int topK, float topP, float minP, float penalty, long seed) {
    return new SamplingParams(temp, topK, topP, minP, penalty, 64, seed);
  }

  @Test
  void greedyTakesTheLowestIdAmongTies() {
    float[] logits = {1f, 3f, 3f, 2f};
    assertEquals(1, new Sampler(SamplingParams.GREEDY).sample(logits, 0, 4, NO_HISTORY, 0));
  }

  @Test
  void samplesInProportionToTheSoftmax() {
    // logits 0 and ln 3: p = 1/4 and 3/4. 20000 draws: the standard deviation of the frequency is
    // sqrt(0.25*0.75/20000) = 0.003, so 0.015 is five of them
    float[] logits = {0f, (float) Math.log(3)};
    Sampler s = new Sampler(params(1f, 0, 1f, 0f, 1f, 7));
    int ones = 0;
    for (int i = 0; i < 20000; i++) ones += s.sample(logits.clone(), 0, 2, NO_HISTORY, 0);
    assertEquals(0.75, ones / 20000.0, 0.015);
  }

  @Test
  void temperatureSharpensTheDistribution() {
    // at T = 0.5 the logit gap ln 3 doubles: p(1) = 9/10
    float[] logits = {0f, (float) Math.log(3)};
    Sampler s = new Sampler(params(0.5f, 0, 1f, 0f, 1f, 7));
    int ones = 0;
    for (int i = 0; i < 20000; i++) ones += s.sample(logits.clone(), 0, 2, NO_HISTORY, 0);
    assertEquals(0.9, ones / 20000.0, 0.011);
  }

  @Test
  void topKTopPAndMinPCutTheTail() {
    // probabilities 0.1, 0.6, 0.3 (logits are their logs)
    float[] logits = {(float) Math.log(0.1), (float) Math.log(0.6), (float) Math.log(0.3)};
    for (int i = 0; i < 200; i++) {
      assertEquals(1, new Sampler(params(1f, 1, 1f, 0f, 1f, i)).sample(logits.clone(), 0, 3, NO_HISTORY, 0), "top-k 1");
      assertEquals(1, new Sampler(params(1f, 0, 0.5f, 0f, 1f, i)).sample(logits.clone(), 0, 3, NO_HISTORY, 0), "top-p 0.5");
      // min-p 0.6: tokens with p >= 0.36 survive: only token 1
      assertEquals(1, new Sampler(params(1f, 0, 1f, 0.6f, 1f, i)).sample(logits.clone(), 0, 3, NO_HISTORY, 0), "min-p");
      // top-p 0.85 keeps 0.6 + 0.3: never token 0
      int t = new Sampler(params(1f, 0, 0.85f, 0f, 1f, i)).sample(logits.clone(), 0, 3, NO_HISTORY, 0);
      assertEquals(true, t == 1 || t == 2, "top-p 0.85 drew " + t);
    }
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
    // logits 2 and 1.5; token 0 was seen: 2 / 2 = 1 < 1.5, so greedy now picks token 1
    float[] logits = {2f, 1.5f, -1f};
    assertEquals(1, new Sampler(params(0f, 0, 1f, 0f, 2f, 1)).sample(logits, 0, 3, new int[] {0, 0}, 2));
    assertEquals(1f, logits[0]);
    float[] negative = {-1f, -1.5f};
    new Sampler(params(0f, 0, 1f, 0f, 2f, 1)).sample(negative, 0, 2, new int[] {0}, 1);
    assertEquals(-2f, negative[0]);
  }

  @Test
  void theSameSeedGivesTheSameDraws() {
    float[] logits = new float[100];
    for (int i = 0; i < 100; i++) logits[i] = (float) Math.sin(i);
    Sampler a = new Sampler(params(1f, 40, 0.95f, 0.05f, 1f, 123));
    Sampler b = new Sampler(params(1f, 40, 0.95f, 0.05f, 1f, 123));
    for (int i = 0; i < 50; i++) {
      assertEquals(a.sample(logits.clone(), 0, 100, NO_HISTORY, 0), b.sample(logits.clone(), 0, 100, NO_HISTORY, 0));
    }
  }

  @Test
  void rejectsOutOfRangeOptions() {
    assertThrows(IllegalArgumentException.class, () -> params(-1f, 0, 1f, 0f, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> params(1f, -1, 1f, 0f, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 0f, 0f, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 1f, 1f, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 1f, 0f, 0f, 0));
  }
}
