package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.api.Test;

class KvCacheTest {

  /**
   * With the F16 cache (keys, values, queries and attention weights rounded to fp16, as llama.cpp's
   * default cache does) the F32 model's logits move by up to about 1e-2 from the F32-cache reference
   * (shared/data/reference/README.md); they must stay within that, and the top token must not change.
   */
  @Test
  void f16CacheStaysWithinTheDocumentedDistanceOfTheF32Reference() {
    BitNetModel m = SharedData.loadModel("tiny-bitnet-spm-f32");
    JsonNode prompt = SharedData.json("data/reference/logits-tiny-bitnet-spm-f32.json").get("prompts").get(2);
    int[] tokens = SharedData.ints(prompt.get("prompt_tokens"));
    KvCache cache = KvCache.create(KvCache.Type.F16, m.config(), tokens.length);
    Batch b = new Batch();
    b.addSequence(tokens, 0, cache, false);
    float[] ours = Engines.forward(m, ActivationQuant.NONE).forward(b);
    float[] expected = SharedData.floats(prompt.get("logits_last"));
    double max = 0;
    for (int v = 0; v < expected.length; v++) max = Math.max(max, Math.abs(expected[v] - ours[v]));
    assertTrue(max < 2e-2, "F16 cache: max |diff| " + max);
    assertTrue(max > 1e-5, "F16 cache should differ measurably from F32 (it rounds); diff " + max);
    int top = 0;
    int refTop = 0;
    for (int v = 1; v < expected.length; v++) {
      if (ours[v] > ours[top]) top = v;
      if (expected[v] > expected[refTop]) refTop = v;
    }
    assertEquals(refTop, top);
    assertEquals(2L * 4 * tokens.length * 128 * 2, cache.sizeBytes(), "2 (K,V) x layers x positions x kvDim x 2 bytes");
  }
}
