package org.bitnetspark.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

  /** Merges by the highest piece score; characters with no piece fall back to byte tokens. */
  private void tokenizeFragment(String text, IntList out) {
    BigramMerger.merge(text, (left, right) -> {
      int id = vocab.id(left + right);
      return id >= 0 ? -vocab.score(id) : Double.NaN;
    }, piece -> {
      int id = vocab.id(piece);
      if (id >= 0) {
        out.add(id);
      } else {
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) out.add(byteTokens[b & 0xff]);
      }
    });
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
