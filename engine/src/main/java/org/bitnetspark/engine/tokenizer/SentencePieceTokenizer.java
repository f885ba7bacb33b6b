package org.bitnetspark.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import org.bitnetspark.engine.util.IntList;

/**
 * SentencePiece-style BPE over scored pieces (LLaMA-2 vocabularies), as llama.cpp's SPM tokenizer
 * does: spaces become U+2581, a space is prepended to text that follows a special token or starts
 * the input, then adjacent symbols are merged greedily by the highest piece score (leftmost on
 * ties); characters with no piece fall back to {@code <0xXX>} byte tokens.
 */
public final class SentencePieceTokenizer implements Tokenizer {
  static final String SPACE = "\u2581";

  private final Vocabulary vocab;
  private final boolean addSpacePrefix;
  private final int[] byteTokens = new int[256];

  public SentencePieceTokenizer(Vocabulary vocab, boolean addSpacePrefix) {
    this.vocab = vocab;
    this.addSpacePrefix = addSpacePrefix;
    for (int b = 0; b < 256; b++) {
      int id = vocab.id(String.format("<0x%02X>", b));
      byteTokens[b] = id >= 0 ? id : vocab.unk();
    }
  }

  @Override
  public Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
    IntList out = new IntList();
    boolean prevSpecial = true; // the first text fragment gets the space prefix
    if (addSpecial && vocab.addBos()) out.add(vocab.bos());
    if (!text.isEmpty()) {
      for (SpecialTokenSplitter.Fragment f : SpecialTokenSplitter.split(vocab, text, parseSpecial)) {
        if (f.isText()) {
          String raw = addSpacePrefix && prevSpecial ? " " + f.text() : f.text();
          tokenizeFragment(raw.replace(" ", SPACE), out);
          prevSpecial = false;
        } else {
          out.add(f.token());
          prevSpecial = true;
        }
      }
    }
    if (addSpecial && vocab.addEos()) out.add(vocab.eos());
    return out.toArray();
  }

  private record Bigram(int left, int right, float score, int size) {}

  /** Greedy merging over a linked list of symbols; each symbol is [start, start+length) of the text. */
  private void tokenizeFragment(String text, IntList out) {
    int n = text.codePointCount(0, text.length());
    int[] start = new int[n];
    int[] len = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0, off = 0; i < n; i++) {
      int cpLen = Character.charCount(text.codePointAt(off));
      start[i] = off;
      len[i] = cpLen;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      off += cpLen;
    }
    PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
        ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
    for (int i = 1; i < n; i++) tryAddBigram(text, i - 1, i, start, len, queue);
    while (!queue.isEmpty()) {
      Bigram bg = queue.poll();
      // skip bigrams made stale by an earlier merge of either symbol
      if (len[bg.left] == 0 || len[bg.right] == 0 || len[bg.left] + len[bg.right] != bg.size) continue;
      len[bg.left] += len[bg.right];
      len[bg.right] = 0;
      next[bg.left] = next[bg.right];
      if (next[bg.right] >= 0) prev[next[bg.right]] = bg.left;
      if (prev[bg.left] >= 0) tryAddBigram(text, prev[bg.left], bg.left, start, len, queue);
      if (next[bg.left] >= 0) tryAddBigram(text, bg.left, next[bg.left], start, len, queue);
    }
    for (int i = 0; i >= 0 && n > 0; i = next[i]) {
      String piece = text.substring(start[i], start[i] + len[i]);
      int id = vocab.id(piece);
      if (id >= 0) {
        out.add(id);
      } else {
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) out.add(byteTokens[b & 0xff]);
      }
    }
  }

  private void tryAddBigram(String text, int left, int right, int[] start, int[] len, PriorityQueue<Bigram> queue) {
    String merged = text.substring(start[left], start[left] + len[left] + len[right]);
    int id = vocab.id(merged);
    if (id >= 0) queue.add(new Bigram(left, right, vocab.score(id), len[left] + len[right]));
  }

  @Override
  public byte[] pieceBytes(int token) {
    if (!vocab.isValid(token)) throw new IllegalArgumentException("token id " + token + " is outside the vocabulary");
    String text = vocab.text(token);
    return switch (vocab.type(token)) {
      case Vocabulary.CONTROL, Vocabulary.UNUSED -> new byte[0];
      case Vocabulary.BYTE -> new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
      default -> text.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
    };
  }

  @Override
  public String decode(int[] tokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int t : tokens) bytes.writeBytes(pieceBytes(t));
    String s = bytes.toString(StandardCharsets.UTF_8);
    return addSpacePrefix && s.startsWith(" ") ? s.substring(1) : s;
  }
}
