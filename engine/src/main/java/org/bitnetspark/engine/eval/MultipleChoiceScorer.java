package org.bitnetspark.engine.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.tokenizer.Tokenizer;

/**
 * Scores multiple-choice tasks by log-likelihood, as {@code llama-perplexity --hellaswag} does
 * (FORMATS.md; reference files {@code mc-*.json}): each choice j is tokenised as
 * {@code context + separator + choice_j} with BOS; the tokens all choices share form the prefix,
 * and a choice's score is the summed log-probability of its tokens after that prefix.
 *
 * <p>With {@code shareContext} the prefix runs once per task into one KV cache, which each choice's
 * cache then copies before its own tokens run: a task of C choices costs prefix + Σ continuations
 * tokens instead of C × (prefix + continuation). Without it every choice runs from an empty cache (the
 * baseline the benchmark compares against). Both give the same numbers (tested). Several tasks go
 * through the forward pass together, so one pass over the weights serves many rows.
 *
 * <p>Not thread-safe (it drives one {@link Forward}).
 */
public final class MultipleChoiceScorer {
  /** lm-evaluation-harness's default target delimiter and llama.cpp's HellaSwag joiner. */
  public static final String DEFAULT_SEPARATOR = " ";
  /**
   * Most rows per forward call: bounds the activation buffers. Measured on the 700M shape (1 thread):
   * 8 to 128 rows per pass all run at ~8.5 tokens/s, 512 rows at ~7.3 (activations out of cache).
   */
  private static final int MAX_ROWS = 128;
  /** Most logit floats per forward call (64 MiB): bounds the logits of large vocabularies. */
  private static final long MAX_LOGIT_FLOATS = 16L << 20;

  private final Forward forward;
  private final KvCache.Type kvType;
  private final boolean shareContext;
  private final String separator;
  private final Tokenizer tokenizer;
  private final int contextLength;
  private final int vocab;

  public MultipleChoiceScorer(Forward forward, KvCache.Type kvType, boolean shareContext, String separator) {
    this.forward = forward;
    this.kvType = kvType;
    this.shareContext = shareContext;
    this.separator = separator == null ? DEFAULT_SEPARATOR : separator;
    this.tokenizer = forward.model().tokenizer();
    this.contextLength = forward.model().config().contextLength();
    this.vocab = forward.model().config().vocabSize();
  }

  /**
   * A task tokenised and checked, ready to score.
   *
   * @param sequences per choice: BOS + tokens of context + separator + choice
   * @param sharedPrefix leading tokens every choice has (at least 1, and each choice has one more)
   * @param choiceBytes per choice: the choice text's UTF-8 length
   */
  public record Prepared(int[][] sequences, int sharedPrefix, int[] choiceBytes) {
    int maxLength() {
      int max = 0;
      for (int[] s : sequences) max = Math.max(max, s.length);
      return max;
    }
  }

  /** Tokenises and checks a task; a task that cannot be scored is an {@link IllegalArgumentException} naming why. */
  public Prepared prepare(String context, List<String> choices) {
    if (context == null) throw new IllegalArgumentException("the context is missing (null)");
    if (choices == null || choices.size() < 2) {
      throw new IllegalArgumentException("a multiple-choice task needs at least 2 choices, this one has "
          + (choices == null ? 0 : choices.size()));
    }
    int n = choices.size();
    int[][] sequences = new int[n][];
    int[] bytes = new int[n];
    for (int j = 0; j < n; j++) {
      String choice = choices.get(j);
      if (choice == null || choice.isEmpty()) throw new IllegalArgumentException("choice " + j + " is empty");
      sequences[j] = tokenizer.encode(context + separator + choice, true, false);
      bytes[j] = choice.getBytes(StandardCharsets.UTF_8).length;
      if (sequences[j].length > contextLength) {
        throw new IllegalArgumentException("choice " + j + " with its context is " + sequences[j].length
            + " tokens, more than the model's context of " + contextLength + " tokens; shorten the context");
      }
    }
    int shared = sequences[0].length;
    for (int j = 1; j < n; j++) shared = Math.min(shared, commonPrefix(sequences[0], sequences[j]));
    // every choice keeps at least one token to score (a choice that is a prefix of another, or a duplicate)
    for (int[] s : sequences) shared = Math.min(shared, s.length - 1);
    if (shared < 1) {
      throw new IllegalArgumentException("the choices share no leading token, so their first token has no context "
          + "to be predicted from; give a non-empty context (or a model that adds BOS)");
    }
    return new Prepared(sequences, shared, bytes);
  }

  /** Prepares and scores one task. */
  public ChoiceScores score(String context, List<String> choices) {
    return score(List.of(prepare(context, choices))).get(0);
  }

  /** Scores prepared tasks together; results in the same order. */
  public List<ChoiceScores> score(List<Prepared> tasks) {
    double[][] logLikelihoods = new double[tasks.size()][];
    long[] evaluated = new long[tasks.size()];
    RowBatcher rows = new RowBatcher();
    List<KvCache> caches = new ArrayList<>();
    if (shareContext) {
      KvCache[] prefixCaches = new KvCache[tasks.size()];
      for (int t = 0; t < tasks.size(); t++) {
        Prepared task = tasks.get(t);
        logLikelihoods[t] = new double[task.sequences.length];
        prefixCaches[t] = newCache(caches, task.maxLength() - 1);
        int[] first = task.sequences[0];
        Target[] firstTokens = new Target[task.sequences.length]; // the prefix's last logits score every choice's first token
        for (int j = 0; j < firstTokens.length; j++) {
          firstTokens[j] = new Target(logLikelihoods[t], j, task.sequences[j][task.sharedPrefix]);
        }
        for (int p = 0; p < task.sharedPrefix; p++) {
          rows.add(first[p], p, prefixCaches[t], p == task.sharedPrefix - 1 ? firstTokens : null);
        }
        evaluated[t] += task.sharedPrefix;
      }
      rows.flush(); // every prefix is in its cache before a choice copies it
      for (int t = 0; t < tasks.size(); t++) {
        Prepared task = tasks.get(t);
        int last = task.sequences.length - 1;
        for (int j = 0; j <= last; j++) {
          int[] seq = task.sequences[j];
          if (seq.length - 1 <= task.sharedPrefix) continue; // its one token was scored from the prefix
          KvCache cache = prefixCaches[t];
          if (j < last) { // the last choice takes the prefix cache itself
            cache = newCache(caches, task.maxLength() - 1);
            forward.copyPrefix(cache, prefixCaches[t], task.sharedPrefix);
          }
          for (int p = task.sharedPrefix; p < seq.length - 1; p++) {
            rows.add(seq[p], p, cache, new Target[] {new Target(logLikelihoods[t], j, seq[p + 1])});
          }
          evaluated[t] += seq.length - 1 - task.sharedPrefix;
        }
      }
    } else {
      for (int t = 0; t < tasks.size(); t++) {
        Prepared task = tasks.get(t);
        logLikelihoods[t] = new double[task.sequences.length];
        for (int j = 0; j < task.sequences.length; j++) {
          int[] seq = task.sequences[j];
          KvCache cache = newCache(caches, seq.length - 1);
          for (int p = 0; p < seq.length - 1; p++) {
            Target[] target = p >= task.sharedPrefix - 1 ? new Target[] {new Target(logLikelihoods[t], j, seq[p + 1])}
                : null;
            rows.add(seq[p], p, cache, target);
          }
          evaluated[t] += seq.length - 1;
        }
      }
    }
    rows.flush();
    caches.forEach(forward::release);
    List<ChoiceScores> out = new ArrayList<>(tasks.size());
    for (int t = 0; t < tasks.size(); t++) {
      Prepared task = tasks.get(t);
      int[] counts = new int[task.sequences.length];
      for (int j = 0; j < counts.length; j++) counts[j] = task.sequences[j].length - task.sharedPrefix;
      out.add(new ChoiceScores(logLikelihoods[t], counts, task.choiceBytes.clone(), task.sharedPrefix, evaluated[t]));
    }
    return out;
  }

  private KvCache newCache(List<KvCache> created, int capacity) {
    KvCache cache = forward.newCache(kvType, capacity);
    created.add(cache);
    return cache;
  }

  private static int commonPrefix(int[] a, int[] b) {
    int n = Math.min(a.length, b.length);
    int i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
  }

  /** A token whose log-probability, read from one row's logits, adds to a choice's sum. */
  private record Target(double[] sums, int choice, int token) {}

  /**
   * Collects rows and runs them through the forward pass in bounded chunks; rows of one sequence stay
   * in position order, so a sequence may span chunks.
   */
  private final class RowBatcher {
    private final Batch batch = new Batch();
    private final List<Target[]> targets = new ArrayList<>();
    private final int maxLogitRows = (int) Math.max(1, Math.min(MAX_ROWS, MAX_LOGIT_FLOATS / vocab));

    void add(int token, int position, KvCache cache, Target[] scored) {
      batch.add(token, position, cache, scored != null);
      if (scored != null) targets.add(scored);
      if (batch.size() >= MAX_ROWS || targets.size() >= maxLogitRows) flush();
    }

    void flush() {
      if (batch.size() == 0) return;
      float[] logits = forward.forward(batch);
      for (int r = 0; r < targets.size(); r++) {
        LogProbs.Row row = LogProbs.of(logits, r * vocab, vocab); // once per row: a prefix row serves every choice
        for (Target t : targets.get(r)) t.sums[t.choice] += row.logProb(t.token);
      }
      batch.clear();
      targets.clear();
    }
  }
}
