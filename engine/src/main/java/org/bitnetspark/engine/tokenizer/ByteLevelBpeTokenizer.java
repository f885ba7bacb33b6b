package org.bitnetspark.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bitnetspark.engine.util.IntList;

/**
 * Byte-level BPE (GPT-2, LLaMA-3): a pre-tokenizer regex splits the text into words, each word's
 * UTF-8 bytes are mapped to printable characters (GPT-2's byte-to-unicode table), and adjacent
 * symbols are merged by the lowest merge rank (leftmost on ties), as llama.cpp's BPE tokenizer does.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {

  /** Pre-tokenizers by GGUF {@code tokenizer.ggml.pre} name. */
  public enum PreTokenizer {
    GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", false),
    LLAMA3("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
        + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", true);

    /** \s must mean Unicode white space, as in llama.cpp's unicode tables. */
    final Pattern pattern;
    /** A word that is itself a token is emitted whole (LLaMA-3's {@code ignore_merges}). */
    final boolean ignoreMerges;

    PreTokenizer(String regex, boolean ignoreMerges) {
      this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
      this.ignoreMerges = ignoreMerges;
    }
  }

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

  static {
    // printable Latin-1 bytes stand for themselves; the rest map to U+0100 onwards, in byte order
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      BYTE_TO_CHAR[b] = (char) (printable ? b : 256 + extra++);
      CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
    }
  }

  private final Vocabulary vocab;
  private final PreTokenizer pre;
  private final Map<String, Integer> mergeRanks;

  /** @param merges "left right" pairs, best first */
  public ByteLevelBpeTokenizer(Vocabulary vocab, String[] merges, PreTokenizer pre) {
    this.vocab = vocab;
    this.pre = pre;
    this.mergeRanks = new HashMap<>(merges.length * 2);
    for (int i = 0; i < merges.length; i++) mergeRanks.putIfAbsent(merges[i], i);
  }

  @Override
  public Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
    IntList out = new IntList();
    if (addSpecial && vocab.addBos()) out.add(vocab.bos());
    if (!text.isEmpty()) {
      for (SpecialTokenSplitter.Fragment f : SpecialTokenSplitter.split(vocab, text, parseSpecial)) {
        if (!f.isText()) {
          out.add(f.token());
          continue;
        }
        Matcher m = pre.pattern.matcher(f.text());
        while (m.find()) bpe(byteEncode(m.group()), out);
      }
    }
    if (addSpecial && vocab.addEos()) out.add(vocab.eos());
    return out.toArray();
  }

  private static String byteEncode(String word) {
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    char[] chars = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
    return new String(chars);
  }

  /** Merges by the lowest merge rank (every char of a byte-encoded word is one symbol). */
  private void bpe(String word, IntList out) {
    if (pre.ignoreMerges) {
      int whole = vocab.id(word);
      if (whole >= 0) {
        out.add(whole);
        return;
      }
    }
    BigramMerger.merge(word, (left, right) -> {
      Integer rank = mergeRanks.get(left + " " + right);
      return rank != null ? rank : Double.NaN;
    }, symbol -> {
      int id = vocab.id(symbol);
      if (id >= 0) {
        out.add(id);
      } else {
        for (int c = 0; c < symbol.length(); c++) { // unmerged leftovers: one token per byte symbol
          int single = vocab.id(symbol.substring(c, c + 1));
          if (single >= 0) out.add(single);
        }
      }
    });
  }

  @Override
  public byte[] pieceBytes(int token) {
    if (!vocab.isValid(token)) throw new IllegalArgumentException("token id " + token + " is outside the vocabulary");
    int type = vocab.type(token);
    if (type == Vocabulary.CONTROL || type == Vocabulary.UNUSED) return new byte[0];
    String text = vocab.text(token);
    if (type == Vocabulary.USER_DEFINED) return text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length()];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      Integer b = CHAR_TO_BYTE.get(text.charAt(i));
      if (b != null) out[n++] = (byte) (int) b;
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  @Override
  public String decode(int[] tokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int t : tokens) bytes.writeBytes(pieceBytes(t));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
