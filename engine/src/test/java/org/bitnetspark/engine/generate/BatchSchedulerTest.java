package org.bitnetspark.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.EngineOptions;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Continuous batching on the bundled model (no ../shared needed). */
class BatchSchedulerTest {
  private static BitNetEngine engine;

  @BeforeAll
  static void open() {
    engine = BitNetEngine.open("default", new EngineOptions(ActivationQuant.PER_TOKEN, 2, KvCache.Type.F16));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static List<GenerationRequest> requests() {
    String[] prompts = {"ROMEO:\n", "JULIET:\nO Romeo", "KING HENRY VI:\n", "To be", "First Citizen:\nWe are",
        "PETRUCHIO:\nGood morrow, Kate;", "Enter", "O", "MENENIUS:\nWhy, masters", "The"};
    List<GenerationRequest> out = new ArrayList<>();
    for (int i = 0; i < prompts.length; i++) {
      SamplingParams sampling = i % 3 == 0 ? SamplingParams.GREEDY : SamplingParams.DEFAULT.withSeed(100 + i);
      out.add(new GenerationRequest("r" + i, prompts[i], 8 + 3 * i, sampling));
    }
    return out;
  }

  private static Map<String, GenerationResult> run(int batchSize, List<GenerationRequest> requests) {
    Map<String, GenerationResult> results = new HashMap<>();
    engine.generate(requests.iterator(), batchSize, r -> assertNull(results.put(r.id(), r), "one result per request"));
    return results;
  }

  @Test
  void resultsDoNotDependOnTheBatchSize() {
    Map<String, GenerationResult> one = run(1, requests());
    for (int batch : new int[] {3, 16}) {
      Map<String, GenerationResult> many = run(batch, requests());
      assertEquals(one.keySet(), many.keySet());
      for (String id : one.keySet()) {
        assertEquals(one.get(id).text(), many.get(id).text(), id + " at batch " + batch);
        assertEquals(one.get(id).finishReason(), many.get(id).finishReason());
      }
    }
    one.values().forEach(r -> assertFalse(r.text().isEmpty(), r.id() + " generated nothing"));
  }

  @Test
  void badRequestsBecomeErrorResultsAndTheOthersStillRun() {
    List<GenerationRequest> requests = new ArrayList<>(requests());
    requests.add(3, new GenerationRequest("empty", "", 5, SamplingParams.GREEDY));
    requests.add(6, new GenerationRequest("long", "word ".repeat(300), 5, SamplingParams.GREEDY));
    Map<String, GenerationResult> results = run(4, requests);
    assertEquals(requests.size(), results.size(), "every request yields exactly one result");
    assertEquals(FinishReason.ERROR, results.get("empty").finishReason());
    assertTrue(results.get("empty").error().contains("empty"), results.get("empty").error());
    assertTrue(results.get("long").error().contains("context is 128 tokens"), results.get("long").error());
    assertNull(results.get("r0").error());
  }

  /** Truncation keeps BOS and the prompt's end, leaving min(max-tokens, context/2) tokens to generate. */
  @Test
  void truncatesAnOverlongPromptWhenAsked() {
    String prompt = "ROMEO:\nI will tell thee what I have done. ".repeat(30);
    int[] all = engine.model().tokenizer().encode(prompt, true, false);
    GenerationResult r = engine.generate(new GenerationRequest("t", prompt, 20, SamplingParams.GREEDY, List.of(), null,
        GenerationRequest.PromptOverflow.TRUNCATE));
    assertNull(r.error());
    assertEquals(128 - 20, r.promptTokens().length);
    assertEquals(1, r.promptTokens()[0], "BOS stays first");
    assertEquals(all[all.length - 1], r.promptTokens()[r.promptTokens().length - 1], "the prompt's end is kept");
    assertEquals(20, r.tokens().length);
  }

  @Test
  void stopsAtMaxTokensOrTheContextEnd() {
    GenerationResult r = engine.generate(new GenerationRequest("n", "ROMEO:\n", 7, SamplingParams.GREEDY));
    assertEquals(7, r.tokens().length);
    assertEquals(FinishReason.LENGTH, r.finishReason());
    // the bundled model's context is 128 tokens: a 6-token prompt can grow by 122 at most
    GenerationResult full = engine.generate(new GenerationRequest("c", "ROMEO:\n", 1000, SamplingParams.DEFAULT));
    assertTrue(full.finishReason() == FinishReason.LENGTH || full.finishReason() == FinishReason.EOS);
    assertTrue(full.promptTokens().length + full.tokens().length <= 128);
  }

  @Test
  void stopStringsEndTheTextAndAreNeverStreamed() {
    StringBuilder streamed = new StringBuilder();
    // greedy from "ROMEO:\n" is "I'll tell thee, and I'll tell thee what I have." (reference README)
    GenerationRequest req = new GenerationRequest("s", "ROMEO:\n", 40, SamplingParams.GREEDY, List.of("thee,"),
        streamed::append);
    GenerationResult r = engine.generate(req);
    assertEquals(FinishReason.STOP, r.finishReason());
    assertEquals("I'll tell ", r.text());
    assertEquals(r.text(), streamed.toString(), "the listener saw exactly the final text");
  }

  @Test
  void theListenerSeesTheWholeTextWithoutStopStrings() {
    StringBuilder streamed = new StringBuilder();
    GenerationResult r = engine.generate(new GenerationRequest("l", "ROMEO:\n", 30, SamplingParams.DEFAULT, List.of(),
        streamed::append));
    assertNotNull(r.text());
    assertEquals(r.text(), streamed.toString());
  }
}
