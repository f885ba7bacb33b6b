package org.bitnetspark.engine.model;

import java.util.Arrays;

/**
 * The rows of one forward step: each row is one token of some sequence at some position, with
 * that sequence's KV cache. A prompt's prefill is many rows of one sequence; batched decoding is one
 * row for each of many sequences. Rows of the same sequence must be in position order.
 */
public final class Batch {
  private int size;
  private int[] tokens = new int[8];
  private int[] positions = new int[8];
  private KvCache[] caches = new KvCache[8];
  private boolean[] wantLogits = new boolean[8];

  public void clear() {
    size = 0;
  }

  public void add(int token, int position, KvCache cache, boolean logits) {
    if (size == tokens.length) {
      int n = size * 2;
      tokens = Arrays.copyOf(tokens, n);
      positions = Arrays.copyOf(positions, n);
      caches = Arrays.copyOf(caches, n);
      wantLogits = Arrays.copyOf(wantLogits, n);
    }
    tokens[size] = token;
    positions[size] = position;
    caches[size] = cache;
    wantLogits[size] = logits;
    size++;
  }

  /** Adds {@code tokens} of one sequence at positions start, start+1, ...; logits for the last only or for all. */
  public void addSequence(int[] tokens, int start, KvCache cache, boolean allLogits) {
    for (int i = 0; i < tokens.length; i++) add(tokens[i], start + i, cache, allLogits || i == tokens.length - 1);
  }

  /** Rows {@code [from, to)} of this batch into {@code into} (cleared first): one micro-batch. */
  public Batch slice(int from, int to, Batch into) {
    into.clear();
    for (int i = from; i < to; i++) into.add(tokens[i], positions[i], caches[i], wantLogits[i]);
    return into;
  }

  public int size() {
    return size;
  }

  public int token(int i) {
    return tokens[i];
  }

  public int position(int i) {
    return positions[i];
  }

  public KvCache cache(int i) {
    return caches[i];
  }

  public boolean wantsLogits(int i) {
    return wantLogits[i];
  }

  public int logitRows() {
    int n = 0;
    for (int i = 0; i < size; i++) if (wantLogits[i]) n++;
    return n;
  }
}
