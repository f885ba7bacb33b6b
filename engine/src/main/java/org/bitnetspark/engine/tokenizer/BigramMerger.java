package org.bitnetspark.engine.tokenizer;

import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The merge loop both BPE flavours share (llama.cpp's SPM and BPE sessions): symbols start as single
 * characters in a linked list; the best adjacent pair (lowest priority value, leftmost on ties) is
 * merged, repeatedly, until no adjacent pair is mergeable. Only the priority differs: SentencePiece
 * prefers the highest piece score, byte-level BPE the lowest merge rank.
 */
final class BigramMerger {
  /** The priority of merging {@code left + right} (lower merges first), or NaN if it cannot be merged. */
  @FunctionalInterface
  interface Priority {
    double of(String left, String right);
  }

  private record Bigram(int left, int right, double priority, int size) {}

  private BigramMerger() {}

  /**
   * Merges {@code text}, whose initial symbols are its code points, and passes each final symbol
   * to {@code emit} in order.
   */
  static void merge(String text, Priority priority, Consumer<String> emit) {
    int n = text.codePointCount(0, text.length());
    int[] start = new int[n];
    int[] len = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0, off = 0; i < n; i++) {
      len[i] = Character.charCount(text.codePointAt(off));
      start[i] = off;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      off += len[i];
    }
    PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.priority != b.priority
        ? Double.compare(a.priority, b.priority) : Integer.compare(a.left, b.left));
    for (int i = 1; i < n; i++) offer(text, i - 1, i, start, len, priority, queue);
    while (!queue.isEmpty()) {
      Bigram bg = queue.poll();
      // skip pairs made stale by an earlier merge of either symbol
      if (len[bg.left] == 0 || len[bg.right] == 0 || len[bg.left] + len[bg.right] != bg.size) continue;
      len[bg.left] += len[bg.right];
      len[bg.right] = 0;
      next[bg.left] = next[bg.right];
      if (next[bg.right] >= 0) prev[next[bg.right]] = bg.left;
      if (prev[bg.left] >= 0) offer(text, prev[bg.left], bg.left, start, len, priority, queue);
      if (next[bg.left] >= 0) offer(text, bg.left, next[bg.left], start, len, priority, queue);
    }
    for (int i = 0; i >= 0 && n > 0; i = next[i]) emit.accept(text.substring(start[i], start[i] + len[i]));
  }

  private static void offer(String text, int left, int right, int[] start, int[] len, Priority priority,
      PriorityQueue<Bigram> queue) {
    double p = priority.of(text.substring(start[left], start[left] + len[left]),
        text.substring(start[right], start[right] + len[right]));
    if (!Double.isNaN(p)) queue.add(new Bigram(left, right, p, len[left] + len[right]));
  }
}
