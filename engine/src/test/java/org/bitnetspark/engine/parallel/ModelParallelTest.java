package org.bitnetspark.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bitnetspark.engine.eval.ChoiceScores;
import org.bitnetspark.engine.eval.MultipleChoiceScorer;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.engine.generate.BatchScheduler;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.engine.generate.SamplingParams;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.LocalGroup;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pipeline and tensor parallel groups (ranks in threads, real TCP on 127.0.0.1, each rank loading
 * only its part of the file) against the whole model in one forward pass, on every shared model:
 * logits of a prefill+decode batch, greedy generations of a continuous batch, perplexity and
 * multiple-choice scores (shared-prefix cache copies and releases run on the workers too).
 */
class ModelParallelTest {
  private static final String[] PROMPTS = {"The quick brown fox", "Once upon a time", "ROMEO:"};

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    String[][] models = {
        {"tiny-bitnet-spm-f32", "NONE"}, {"tiny-bitnet-spm-tq2_0", "Q8K"}, {"tiny-bitnet-spm-tq1_0", "Q8K"},
        {"tiny-bitnet-bpe-tq2_0", "Q8K"}, {"tiny-bitnet2b4t-spm-f32", "NONE"}, {"tiny-bitnet2b4t-spm-i2_s", "PER_TOKEN"},
        {"tiny-shakespeare-bitnet-f32", "NONE"}, {"tiny-shakespeare-bitnet-tq2_0", "Q8K"}};
    for (String[] m : models) {
      for (String p : new String[] {"pipeline:2", "tensor:2", "tensor:4"}) {
        cases.add(Arguments.of(m[0], ActivationQuant.valueOf(m[1]), p));
      }
    }
    return cases.stream();
  }

  /**
   * Every logit a part computes comes from the same kernel, the same packed row and the same
   * activations as in the whole model (a shard gathers whole vectors before each norm and absmax),
   * so the results are expected to be identical; the tolerance, 1e-5 relative, only allows for a
   * kernel that summed a row differently at a thread-split or shard boundary.
   */
  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cases")
  void groupMatchesTheWholeModel(String name, ActivationQuant aq, String spec) {
    BitNetModel whole = SharedData.loadModel(name);
    Parallelism p = Parallelism.parse(spec);
    Expected expected = work(Engines.forward(whole, aq));
    LocalGroup.Outcome<Expected> got = LocalGroup.run(SharedData.model(name), p, aq, ModelParallelTest::work);
    Expected actual = got.result();

    assertClose(expected.logits, actual.logits, name + " " + spec + " logits");
    for (int i = 0; i < PROMPTS.length; i++) {
      assertArrayEquals(expected.greedy.get(i), actual.greedy.get(i), name + " " + spec + " greedy '" + PROMPTS[i] + "'");
    }
    assertEquals(expected.perplexity.tokensScored(), actual.perplexity.tokensScored());
    assertEquals(expected.perplexity.nllSum(), actual.perplexity.nllSum(), 1e-5 * Math.abs(expected.perplexity.nllSum()));
    for (int i = 0; i < expected.choices.logLikelihoods().length; i++) {
      assertEquals(expected.choices.logLikelihoods()[i], actual.choices.logLikelihoods()[i],
          1e-5 * Math.max(1, Math.abs(expected.choices.logLikelihoods()[i])), name + " " + spec + " choice " + i);
    }
    assertEquals(p.degree(), got.stats().size());
    long partBytes = 0;
    for (GroupStats s : got.stats()) {
      assertTrue(s.bytesSent() > 0 && s.bytesReceived() > 0, "rank " + s.rank() + " exchanged nothing");
      assertTrue(s.forwardSteps() > 0, "rank " + s.rank() + " ran no step");
      assertTrue(s.weightBytes() < whole.residentWeightBytes(), "rank " + s.rank() + " holds the whole model");
      partBytes = Math.max(partBytes, s.weightBytes());
    }
    System.out.printf("%s %s: largest part holds %.2f of the model's weight bytes%n", name, spec,
        (double) partBytes / whole.residentWeightBytes());
  }

  private record Expected(float[] logits, List<int[]> greedy, PerplexityResult perplexity, ChoiceScores choices) {}

  /** The same work through any forward: a mixed prefill/decode batch, generation, perplexity, choices. */
  private static Expected work(Forward forward) {
    KvCache a = forward.newCache(KvCache.Type.F32, 32);
    KvCache b = forward.newCache(KvCache.Type.F32, 32);
    Batch batch = new Batch();
    batch.addSequence(new int[] {1, 450, 4996, 17354}, 0, a, true);
    batch.addSequence(new int[] {1, 9038}, 0, b, false);
    float[] prefill = forward.forward(batch);
    batch.clear();
    batch.add(1701, 4, a, true);
    batch.add(2501, 2, b, true);
    float[] decode = forward.forward(batch);
    forward.release(a);
    forward.release(b);
    float[] logits = new float[prefill.length + decode.length];
    System.arraycopy(prefill, 0, logits, 0, prefill.length);
    System.arraycopy(decode, 0, logits, prefill.length, decode.length);

    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < PROMPTS.length; i++) {
      requests.add(new GenerationRequest("p" + i, PROMPTS[i], 10 + 3 * i, SamplingParams.GREEDY));
    }
    int[][] greedy = new int[PROMPTS.length][];
    new BatchScheduler(forward, KvCache.Type.F16, 2).run(requests.iterator(),
        r -> greedy[Integer.parseInt(r.id().substring(1))] = r.tokens());

    int[] text = forward.model().tokenizer().encode(
        "First Citizen: Before we proceed any further, hear me speak. All: Speak, speak.", true, false);
    PerplexityResult ppl = new PerplexityScorer(forward, KvCache.Type.F16).sliding(text, 16, 8, (done, total, soFar) -> { });
    ChoiceScores choices = new MultipleChoiceScorer(forward, KvCache.Type.F16, true, null)
        .score("The cat sat on the", List.of(" mat", " roof of the house", " dog"));
    return new Expected(logits, List.of(greedy), ppl, choices);
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
      worst = Math.max(worst, d);
    }
    assertTrue(worst <= 1e-5, what + ": largest relative difference " + worst);
  }
}
