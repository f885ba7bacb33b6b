package org.bitnetspark.engine.eval;

import java.util.Locale;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.tokenizer.Vocabulary;

/**
 * Perplexity of a token sequence, two ways:
 * <ul>
 *   <li>{@link Method#CHUNKS}: llama-perplexity's method (FORMATS.md section 6), so numbers are
 *       comparable: non-overlapping chunks of n_ctx tokens, each from an empty cache, the first token
 *       replaced by BOS when the vocabulary adds one, and only the second half of each chunk scored.</li>
 *   <li>{@link Method#SLIDING}: a strided sliding window for long documents: windows of n_ctx tokens
 *       advance by {@code stride}; each token after the first is scored once, by the first window
 *       that contains it with the most context ({@code n_ctx - stride} tokens or more, except at the
 *       start).</li>
 * </ul>
 * Not thread-safe (it drives one {@link Forward}).
 */
public final class PerplexityScorer {

  /** How the text is cut into windows. */
  public enum Method {
    CHUNKS, SLIDING;

    public static Method parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("perplexity method '" + s + "' is not one of chunks, sliding");
      }
    }
  }

  /** Called after each window. */
  @FunctionalInterface
  public interface Progress {
    void onWindow(int done, int total, PerplexityResult soFar);
  }

  private final Forward forward;
  private final KvCache.Type kvType;

  public PerplexityScorer(Forward forward, KvCache.Type kvType) {
    this.forward = forward;
    this.kvType = kvType;
  }

  /**
   * Scores with the given method; {@code ctx <= 0} means the model's context length and
   * {@code stride <= 0} half the window (sliding only).
   */
  public PerplexityResult score(int[] tokens, Method method, int ctx, int stride, Progress progress) {
    int window = ctx > 0 ? ctx : forward.model().config().contextLength();
    return method == Method.CHUNKS ? chunks(tokens, window, progress)
        : sliding(tokens, window, stride > 0 ? stride : Math.max(1, window / 2), progress);
  }

  /** llama-perplexity's chunks; needs at least {@code ctx} tokens. */
  public PerplexityResult chunks(int[] tokens, int ctx, Progress progress) {
    checkContext(ctx);
    int nChunks = tokens.length / ctx;
    if (nChunks == 0) {
      throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one chunk of "
          + ctx + "; use a smaller --ctx or the sliding method");
    }
    Vocabulary vocab = forward.model().tokenizer().vocabulary();
    int first = ctx / 2;
    PerplexityResult total = PerplexityResult.EMPTY;
    for (int c = 0; c < nChunks; c++) {
      int[] chunk = java.util.Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
      if (vocab.addBos()) chunk[0] = vocab.bos();
      total = total.plus(scoreWindow(chunk, first, ctx));
      if (progress != null) progress.onWindow(c + 1, nChunks, total);
    }
    return total;
  }

  /** Strided sliding windows; scores tokens 1..n-1 of {@code tokens} (at least 2 tokens). */
  public PerplexityResult sliding(int[] tokens, int ctx, int stride, Progress progress) {
    checkContext(ctx);
    if (stride < 1 || stride > ctx) throw new IllegalArgumentException("stride " + stride + " must be in 1.." + ctx);
    if (tokens.length < 2) throw new IllegalArgumentException("the text has " + tokens.length + " token(s); at least 2 are needed");
    int windows = tokens.length <= ctx ? 1 : 1 + (tokens.length - ctx + stride - 1) / stride;
    PerplexityResult total = PerplexityResult.EMPTY;
    int scoredUpTo = 1; // next position to score; position 0 has no context
    for (int w = 0; w < windows; w++) {
      int begin = Math.min(w * stride, Math.max(0, tokens.length - ctx));
      int end = Math.min(begin + ctx, tokens.length);
      int[] window = java.util.Arrays.copyOfRange(tokens, begin, end);
      // logits at window position p predict window token p+1; score targets scoredUpTo..end-1
      total = total.plus(scoreWindow(window, scoredUpTo - 1 - begin, window.length));
      scoredUpTo = end;
      if (progress != null) progress.onWindow(w + 1, windows, total);
    }
    return total;
  }

  private void checkContext(int ctx) {
    int max = forward.model().config().contextLength();
    if (ctx < 2 || ctx > max) {
      throw new IllegalArgumentException("ctx " + ctx + " must be between 2 and the model's context length " + max);
    }
  }

  /**
   * Evaluates {@code window} from an empty cache and scores the predictions made at positions
   * {@code from .. to-2} (each predicting the next token), as llama-perplexity does ({@link LogProbs}).
   */
  private PerplexityResult scoreWindow(int[] window, int from, int to) {
    KvCache cache = forward.newCache(kvType, window.length);
    Batch batch = new Batch();
    for (int p = 0; p < window.length; p++) batch.add(window[p], p, cache, p >= from && p <= to - 2);
    float[] logits = forward.forward(batch);
    forward.release(cache);
    int vocab = forward.model().config().vocabSize();
    double nll = 0;
    int row = 0;
    for (int p = from; p <= to - 2; p++, row++) {
      nll -= LogProbs.logProb(logits, row * vocab, vocab, window[p + 1]);
    }
    return new PerplexityResult(nll, row, 1);
  }
}
