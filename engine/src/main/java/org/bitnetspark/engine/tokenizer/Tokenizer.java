package org.bitnetspark.engine.tokenizer;

/**
 * Text to token ids and back. Implementations are immutable and thread-safe.
 */
public interface Tokenizer {

  /** The vocabulary: texts, scores, types and special ids. */
  Vocabulary vocabulary();

  default int vocabSize() {
    return vocabulary().size();
  }

  /**
   * Tokenises {@code text} as llama.cpp's {@code llama_tokenize} does.
   *
   * @param addSpecial add BOS (and EOS) if the vocabulary asks for them
   * @param parseSpecial recognise control-token texts such as {@code <s>} in the text
   */
  int[] encode(String text, boolean addSpecial, boolean parseSpecial);

  /** The bytes a token stands for in text; control tokens stand for nothing. */
  byte[] pieceBytes(int token);

  /**
   * Decodes a whole token sequence to text (invalid UTF-8 becomes U+FFFD). For SentencePiece
   * vocabularies the space the tokenizer prepended to the text is removed again.
   */
  String decode(int[] tokens);
}
