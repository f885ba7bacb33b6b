package org.bitnetspark.engine.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared-context KV reuse gives the same log-likelihoods as scoring every choice from scratch,
 * and both equal a sum computed by hand from one full-sequence forward pass; on the bundled model,
 * so this runs without ../shared.
 */
class MultipleChoiceSharingTest {
  static BitNetModel model;

  static final List<String[]> TASKS = List.of(
      new String[] {"ROMEO: What light through yonder window", "breaks?", "is the sun.", "hath no name.", "Juliet"},
      new String[] {"KING: Good morrow, my lord;", "how fares your grace?", "how now", "how now, my lord"},
      new String[] {"", "First Citizen:", "Second Citizen:"}, // empty context: BOS is the shared prefix
      new String[] {"Nay, then", "go", "go", "go to"}); // duplicate choices and a choice that prefixes another

  @BeforeAll
  static void load() {
    model = ModelLoader.load("default");
  }

  static List<String> choices(String[] task) {
    return List.of(task).subList(1, task.length);
  }

  @Test
  void sharedContextEqualsScoringFromScratch() {
    for (KvCache.Type kv : KvCache.Type.values()) {
      for (ActivationQuant aq : ActivationQuant.values()) {
        MultipleChoiceScorer shared = new MultipleChoiceScorer(Engines.forward(model, aq), kv, true, " ");
        MultipleChoiceScorer scratch = new MultipleChoiceScorer(Engines.forward(model, aq), kv, false, " ");
        List<MultipleChoiceScorer.Prepared> prepared = new ArrayList<>();
        for (String[] t : TASKS) prepared.add(shared.prepare(t[0], choices(t)));
        List<ChoiceScores> a = shared.score(prepared);
        List<ChoiceScores> b = scratch.score(prepared);
        for (int t = 0; t < TASKS.size(); t++) {
          // Each row's arithmetic does not depend on what else is in the batch or on which cache holds
          // the prefix (the kernels are batch-independent, tested in TernaryKernelTest), so the two ways
          // agree exactly: any difference would mean a wrong position, cache or target.
          assertArrayEquals(b.get(t).logLikelihoods(), a.get(t).logLikelihoods(), 0.0, kv + " " + aq + " task " + t);
          assertArrayEquals(b.get(t).tokenCounts(), a.get(t).tokenCounts());
          assertTrue(a.get(t).evaluatedTokens() < b.get(t).evaluatedTokens(), "sharing evaluates fewer tokens");
        }
      }
    }
  }

  @Test
  void equalsHandSumOverOneFullSequence() {
    MultipleChoiceScorer scorer = new MultipleChoiceScorer(Engines.forward(model, ActivationQuant.PER_TOKEN),
        KvCache.Type.F32, true, " ");
    String[] task = TASKS.get(0);
    MultipleChoiceScorer.Prepared p = scorer.prepare(task[0], choices(task));
    ChoiceScores s = scorer.score(List.of(p)).get(0);
    int vocab = model.config().vocabSize();
    for (int j = 0; j < p.sequences().length; j++) {
      int[] seq = p.sequences()[j];
      assertArrayEquals(model.tokenizer().encode(task[0] + " " + task[j + 1], true, false), seq);
      float[] logits = Engines.allLogits(model, ActivationQuant.PER_TOKEN, seq);
      double sum = 0;
      for (int pos = p.sharedPrefix(); pos < seq.length; pos++) {
        // log softmax by hand, in double
        int off = (pos - 1) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        double z = 0;
        for (int v = 0; v < vocab; v++) z += Math.exp(logits[off + v] - max);
        sum += logits[off + seq[pos]] - max - Math.log(z);
      }
      // float exp terms (LogProbs) vs double here: ~1e-7 relative per token
      assertEquals(sum, s.logLikelihoods()[j], 1e-4, "choice " + j);
      assertEquals(seq.length - p.sharedPrefix(), s.tokenCounts()[j]);
    }
  }

  @Test
  void sharedPrefixLeavesEveryChoiceOneToken() {
    MultipleChoiceScorer scorer = new MultipleChoiceScorer(Engines.forward(model, ActivationQuant.PER_TOKEN),
        KvCache.Type.F16, true, " ");
    MultipleChoiceScorer.Prepared p = scorer.prepare("Nay, then", List.of("go", "go", "go to"));
    int shortest = Math.min(p.sequences()[0].length, p.sequences()[2].length);
    assertEquals(shortest - 1, p.sharedPrefix());
    ChoiceScores s = scorer.score(List.of(p)).get(0);
    assertEquals(s.logLikelihoods()[0], s.logLikelihoods()[1], 0.0, "identical choices score identically");
  }

  @Test
  void badTasksAreNamed() {
    MultipleChoiceScorer scorer = new MultipleChoiceScorer(Engines.forward(model, ActivationQuant.PER_TOKEN),
        KvCache.Type.F16, true, " ");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> scorer.prepare("ctx", List.of("one")))
        .getMessage().contains("at least 2 choices"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> scorer.prepare("ctx", List.of("a", "")))
        .getMessage().contains("choice 1 is empty"));
    String longContext = "word ".repeat(model.config().contextLength());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> scorer.prepare(longContext, List.of("a", "b")))
        .getMessage().contains("more than the model's context"));
  }
}
