package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits of every shared model against llama.cpp's (or, for the bitnet-b1.58 fixtures, the
 * independent numpy reference's), per shared/data/reference/README.md:
 * <ul>
 *   <li>F32 weights, no activation quantisation: every logit within 1e-3 (the README's bound with
 *       the fp16 rounding before the F16 head, which we do; float summation order explains the rest);</li>
 *   <li>I2_S with per-token int8 (bitnet.cpp's i8_s): within 1e-3;</li>
 *   <li>random TQ models with Q8_K: the README measured that llama.cpp itself flips single int8
 *       roundings with the summation order, amplified to 0.27-0.43 on some prompts; so every prompt
 *       must have the same top-1 and be within 0.5, and most prompts within 1e-3. A wrong scheme
 *       is 0.2-0.9 off on every prompt, which this still catches.</li>
 * </ul>
 */
class ReferenceLogitsTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("tiny-bitnet-spm-f32", "logits-tiny-bitnet-spm-f32", ActivationQuant.NONE, false),
        Arguments.of("tiny-bitnet-spm-tq2_0", "logits-tiny-bitnet-spm-tq2_0", ActivationQuant.Q8K, true),
        Arguments.of("tiny-bitnet-spm-tq1_0", "logits-tiny-bitnet-spm-tq1_0", ActivationQuant.Q8K, true),
        Arguments.of("tiny-bitnet-bpe-tq2_0", "logits-tiny-bitnet-bpe-tq2_0", ActivationQuant.Q8K, true),
        Arguments.of("tiny-bitnet2b4t-spm-f32", "logits-tiny-bitnet2b4t-spm-f32", ActivationQuant.NONE, false),
        Arguments.of("tiny-bitnet2b4t-spm-i2_s", "logits-tiny-bitnet2b4t-spm-i2_s", ActivationQuant.PER_TOKEN, false),
        Arguments.of("tiny-bitnet2b4t-spm-i2_s", "logits-tiny-bitnet2b4t-spm-i2_s-noactq", ActivationQuant.NONE, false));
  }

  @ParameterizedTest(name = "{0} {2} vs {1}")
  @MethodSource("cases")
  void logitsMatchTheReference(String model, String reference, ActivationQuant aq, boolean chaoticTq) {
    BitNetModel m = SharedData.loadModel(model);
    JsonNode ref = SharedData.json("data/reference/" + reference + ".json");
    int vocab = m.config().vocabSize();
    List<String> report = new ArrayList<>();
    int tight = 0;
    int prompts = 0;
    for (JsonNode prompt : ref.get("prompts")) {
      int[] tokens = SharedData.ints(prompt.get("prompt_tokens"));
      float[] ours = Engines.allLogits(m, aq, tokens);
      List<float[]> expectedRows = new ArrayList<>();
      List<Integer> positions = new ArrayList<>();
      if (prompt.has("logits_all")) {
        for (int p = 0; p < tokens.length; p++) {
          expectedRows.add(SharedData.floats(prompt.get("logits_all").get(p)));
          positions.add(p);
        }
      } else {
        expectedRows.add(SharedData.floats(prompt.get("logits_last")));
        positions.add(tokens.length - 1);
      }
      double maxDiff = 0;
      for (int i = 0; i < expectedRows.size(); i++) {
        float[] expected = expectedRows.get(i);
        int base = positions.get(i) * vocab;
        for (int v = 0; v < vocab; v++) maxDiff = Math.max(maxDiff, Math.abs(expected[v] - ours[base + v]));
        assertEquals(argmax(expected, 0, vocab), argmax(ours, base, vocab),
            model + " " + aq + ": top-1 differs at position " + positions.get(i) + " of prompt '" + prompt.get("text").asText() + "'");
      }
      report.add(String.format("%.2e", maxDiff));
      prompts++;
      if (maxDiff <= 1e-3) tight++;
      assertTrue(maxDiff <= (chaoticTq ? 0.5 : 1e-3), model + " " + aq + " prompt '" + prompt.get("text").asText()
          + "': max |logit diff| " + maxDiff + " (all prompts: " + report + ")");
    }
    System.out.println(model + " " + aq + " vs " + reference + ": max |diff| per prompt " + report);
    assertTrue(tight * 2 > prompts, model + ": fewer than half the prompts within 1e-3: " + report);
  }

  static int argmax(float[] x, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
    return best;
  }
}
