package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.DenseLinear;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.api.Test;

/** The bundled model is the shared tiny-shakespeare TQ2_0 model with a Q8_0 embedding. */
class DefaultModelTest {

  @Test
  void isTheShakespeareModelWithAQ8_0Embedding() {
    BitNetModel m = ModelLoader.load("default");
    assertEquals(3, m.config().layers());
    assertEquals(128, m.config().contextLength());
    assertEquals(GgmlType.Q8_0, ((DenseLinear) m.tokenEmbedding()).type());
  }

  /**
   * Its held-out perplexity must stay close to the original's (llama.cpp: 74.5563 for TQ2_0 with
   * Q8_K activations): re-quantising the embedding to 8 bits costs well under 1%.
   */
  @Test
  void keepsTheOriginalsHeldOutPerplexity() throws Exception {
    String text = Files.readString(SharedData.file("data/text/tinyshakespeare-heldout.txt"), StandardCharsets.UTF_8);
    BitNetModel m = ModelLoader.load("default");
    int[] tokens = m.tokenizer().encode(text, true, false);
    PerplexityResult r = new PerplexityScorer(Engines.forward(m, ActivationQuant.Q8K), KvCache.Type.F32)
        .chunks(tokens, 128, null);
    System.out.printf("bundled model held-out PPL %.4f (original TQ2_0 in llama.cpp: 74.5563)%n", r.perplexity());
    assertEquals(74.5563, r.perplexity(), 74.5563 * 0.01);
  }
}
