package org.bitnetspark.engine.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.tokenizer.Tokenizer;

/**
 * Continuous batching: keeps up to {@code maxBatch} sequences live, runs one batched forward step
 * for all of them (prefill rows of newly admitted prompts together with one decode row per running
 * sequence), retires finished sequences and refills their slots at once from the request iterator.
 * The CLI, the Spark jobs and the SQL functions all generate through this class.
 *
 * <p>Each sequence samples with its own seeded {@link Sampler}, so its text does not depend on the
 * batch it shares. A request that cannot run (empty prompt, prompt longer than the context)
 * becomes an error result; it never stops the others. Not thread-safe.
 */
public final class BatchScheduler {
  private final BitNetModel model;
  private final Forward forward;
  private final KvCache.Type kvType;
  private final int maxBatch;
  private final int contextLength;
  private long generatedTokens;
  private long promptTokens;
  private long liveKvBytes;
  private long peakKvBytes;

  public BatchScheduler(Forward forward, KvCache.Type kvType, int maxBatch) {
    if (maxBatch < 1) throw new IllegalArgumentException("batch size " + maxBatch + " must be at least 1");
    this.model = forward.model();
    this.forward = forward;
    this.kvType = kvType;
    this.maxBatch = maxBatch;
    this.contextLength = model.config().contextLength();
  }

  /** Runs every request to completion; results go to {@code sink} in completion order. */
  public void run(Iterator<GenerationRequest> requests, Consumer<GenerationResult> sink) {
    stream(requests).forEachRemaining(sink);
  }

  /**
   * Results in completion order, computed as they are pulled: at most {@code maxBatch} requests are
   * taken from {@code requests} ahead of the results, so memory stays bounded however many there
   * are (a Spark partition iterator streams through this).
   */
  public Iterator<GenerationResult> stream(Iterator<GenerationRequest> requests) {
    return new Iterator<>() {
      private final ArrayDeque<GenerationResult> ready = new ArrayDeque<>();
      private List<Sequence> live = new ArrayList<>(maxBatch);
      private final Batch batch = new Batch();

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && (!live.isEmpty() || requests.hasNext())) step();
        return !ready.isEmpty();
      }

      @Override
      public GenerationResult next() {
        if (!hasNext()) throw new NoSuchElementException();
        return ready.poll();
      }

      /** Admits requests into free slots, runs one batched forward step, retires finished sequences. */
      private void step() {
        while (live.size() < maxBatch && requests.hasNext()) {
          Sequence s = admit(requests.next(), ready::add);
          if (s != null) live.add(s);
        }
        if (live.isEmpty()) return;
        batch.clear();
        for (Sequence s : live) s.addRowsTo(batch);
        float[] logits = forward.forward(batch);
        int vocab = model.config().vocabSize();
        List<Sequence> still = new ArrayList<>(live.size());
        for (int i = 0; i < live.size(); i++) {
          Sequence s = live.get(i);
          if (s.accept(logits, i * vocab)) ready.add(s.result());
          else still.add(s);
        }
        live = still;
      }
    };
  }

  /** Convenience: one request, run alone. */
  public GenerationResult generate(GenerationRequest request) {
    GenerationResult[] out = new GenerationResult[1];
    run(List.of(request).iterator(), r -> out[0] = r);
    return out[0];
  }

  /** Tokens generated and prompt tokens processed so far, for throughput statistics. */
  public long generatedTokens() {
    return generatedTokens;
  }

  public long promptTokens() {
    return promptTokens;
  }

  /** The most KV-cache memory held at once by live sequences. */
  public long peakKvBytes() {
    return peakKvBytes;
  }

  private Sequence admit(GenerationRequest r, Consumer<GenerationResult> sink) {
    try {
      if (r.prompt() == null || r.prompt().isEmpty()) {
        throw new IllegalArgumentException("the prompt is empty; give at least one character of text");
      }
      int[] prompt = model.tokenizer().encode(r.prompt(), true, false);
      if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
      if (prompt.length >= contextLength) {
        if (r.overflow() == GenerationRequest.PromptOverflow.ERROR) {
          throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens but the model's context is "
              + contextLength + " tokens, which leaves no room to generate; shorten the prompt or truncate it "
              + "(prompt-overflow truncate)");
        }
        prompt = keepEnd(prompt, contextLength - Math.min(r.maxTokens(), contextLength / 2));
      }
      int capacity = Math.min(contextLength, prompt.length + r.maxTokens());
      promptTokens += prompt.length;
      KvCache cache = forward.newCache(kvType, capacity);
      liveKvBytes += cache.sizeBytes();
      peakKvBytes = Math.max(peakKvBytes, liveKvBytes);
      return new Sequence(r, prompt, cache);
    } catch (IllegalArgumentException e) {
      sink.accept(GenerationResult.failed(r.id(), e.getMessage()));
      return null;
    }
  }

  /** The last {@code keep} tokens, the first one replaced by BOS when the model adds BOS. */
  private int[] keepEnd(int[] prompt, int keep) {
    int[] kept = Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
    var vocab = model.tokenizer().vocabulary();
    if (vocab.addBos() && prompt[0] == vocab.bos()) kept[0] = vocab.bos();
    return kept;
  }

  /** One live sequence: its cache, history, sampler and text. */
  private final class Sequence {
    final GenerationRequest request;
    final int[] prompt;
    final KvCache cache;
    final Sampler sampler;
    final TextAssembler text;
    final Tokenizer tokenizer = model.tokenizer();
    final long startNanos = System.nanoTime();
    int[] history;
    int length;
    int generated;
    int fedToModel; // tokens of history already in the cache
    FinishReason finish;

    Sequence(GenerationRequest request, int[] prompt, KvCache cache) {
      this.request = request;
      this.prompt = prompt;
      this.cache = cache;
      this.sampler = new Sampler(request.sampling());
      this.text = new TextAssembler(request.stopStrings());
      this.history = Arrays.copyOf(prompt, prompt.length + request.maxTokens());
      this.length = prompt.length;
    }

    /** The prompt on the first step, then the last sampled token; logits only for the last row. */
    void addRowsTo(Batch batch) {
      for (int i = fedToModel; i < length; i++) batch.add(history[i], i, cache, i == length - 1);
      fedToModel = length;
    }

    /** Samples from this sequence's logits row; returns true when it has finished. */
    boolean accept(float[] logits, int off) {
      int token = sampler.sample(logits, off, model.config().vocabSize(), history, length);
      history[length++] = token;
      generated++;
      generatedTokens++;
      if (model.tokenizer().vocabulary().isEndOfGeneration(token)) {
        finish = FinishReason.EOS;
      } else if (text.add(tokenizer.pieceBytes(token))) {
        finish = FinishReason.STOP;
      } else if (generated >= request.maxTokens() || length >= cache.capacity()) {
        finish = FinishReason.LENGTH;
      }
      if (request.listener() != null) {
        if (finish != null) text.finish();
        String piece = text.release(finish != null);
        if (!piece.isEmpty()) request.listener().onText(piece);
      }
      return finish != null;
    }

    GenerationResult result() {
      liveKvBytes -= cache.sizeBytes();
      forward.release(cache);
      return new GenerationResult(request.id(), prompt, Arrays.copyOfRange(history, prompt.length, length),
          text.finish(), finish, null, System.nanoTime() - startNanos);
    }
  }
}
