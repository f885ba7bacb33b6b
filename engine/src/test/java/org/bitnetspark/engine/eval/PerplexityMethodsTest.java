package org.bitnetspark.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The windowing of both methods against a direct computation: log-softmax of the logits of one
 * forward pass over the same tokens (bundled model, float activations so the windows' batch shape
 * cannot change quantisation).
 */
class PerplexityMethodsTest {
  private static BitNetModel model;
  private static int[] tokens;

  @BeforeAll
  static void load() {
    model = ModelLoader.load("default");
    String text = "ROMEO:\nBut, soft! what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"
        .repeat(4);
    tokens = model.tokenizer().encode(text, true, false);
  }

  /** Σ -log p(tokens[p+1] | tokens[0..p]) for p in [from, to), from one pass over tokens[start, end). */
  private static double directNll(int start, int end, int from, int to, boolean bosFirst) {
    int[] window = java.util.Arrays.copyOfRange(tokens, start, end);
    if (bosFirst) window[0] = model.tokenizer().vocabulary().bos();
    float[] logits = Engines.allLogits(model, ActivationQuant.NONE, window);
    int vocab = model.config().vocabSize();
    double nll = 0;
    for (int p = from; p < to; p++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) max = Math.max(max, logits[p * vocab + v]);
      double sum = 0;
      for (int v = 0; v < vocab; v++) sum += Math.exp(logits[p * vocab + v] - max);
      nll -= logits[p * vocab + window[p + 1]] - max - Math.log(sum);
    }
    return nll;
  }

  @Test
  void chunksScoreTheSecondHalfOfEachChunkWithBosFirst() {
    int ctx = 32;
    PerplexityScorer s = new PerplexityScorer(Engines.forward(model, ActivationQuant.NONE), KvCache.Type.F32);
    PerplexityResult r = s.chunks(tokens, ctx, null);
    int chunks = tokens.length / ctx;
    assertEquals(chunks, r.chunks());
    assertEquals(chunks * (ctx - 1 - ctx / 2), r.tokensScored());
    double expected = 0;
    for (int c = 0; c < chunks; c++) expected += directNll(c * ctx, (c + 1) * ctx, ctx / 2, ctx - 1, true);
    // 1e-6 relative: the same logits, float vs double log-softmax
    assertEquals(expected, r.nllSum(), 1e-6 * expected);
  }

  @Test
  void slidingWindowsScoreEveryTokenOnceWithTheMostContext() {
    int ctx = 32;
    int stride = 12;
    PerplexityScorer s = new PerplexityScorer(Engines.forward(model, ActivationQuant.NONE), KvCache.Type.F32);
    PerplexityResult r = s.sliding(tokens, ctx, stride, null);
    assertEquals(tokens.length - 1, r.tokensScored(), "every token but the first, once");
    // expected: window w covers [begin, begin+ctx), scoring the targets after the previous window's end
    double expected = 0;
    int scoredUpTo = 1;
    for (int begin = 0; scoredUpTo < tokens.length; begin += stride) {
      int b = Math.min(begin, tokens.length - ctx);
      int end = Math.min(b + ctx, tokens.length);
      expected += directNll(b, end, scoredUpTo - 1 - b, end - 1 - b, false);
      scoredUpTo = end;
    }
    assertEquals(expected, r.nllSum(), 1e-6 * expected);
  }

  @Test
  void aShortTextIsAClearError() {
    PerplexityScorer s = new PerplexityScorer(Engines.forward(model, ActivationQuant.NONE), KvCache.Type.F32);
    String m = assertThrows(IllegalArgumentException.class, () -> s.chunks(new int[10], 32, null)).getMessage();
    assertEquals(true, m.contains("fewer than one chunk of 32"), m);
    assertThrows(IllegalArgumentException.class, () -> s.chunks(tokens, 1000, null), "ctx beyond the model's 128");
  }
}
