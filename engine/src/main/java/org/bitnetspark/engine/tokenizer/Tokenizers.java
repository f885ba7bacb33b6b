package org.bitnetspark.engine.tokenizer;

import java.util.Locale;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.gguf.GgufMetadata;

/** Builds the tokenizer a GGUF file describes ({@code tokenizer.ggml.*}, FORMATS.md section 2). */
public final class Tokenizers {
  private Tokenizers() {}

  public static Tokenizer fromGguf(String uri, GgufMetadata m) {
    String model = m.getString("tokenizer.ggml.model");
    String[] tokens = m.getStringArray("tokenizer.ggml.tokens");
    if (tokens.length == 0) throw new ModelFormatException(uri + ": tokenizer.ggml.tokens is empty");
    float[] scores = m.contains("tokenizer.ggml.scores") ? m.getFloatArray("tokenizer.ggml.scores") : null;
    int[] types = null;
    if (m.contains("tokenizer.ggml.token_type")) {
      long[] raw = m.getIntegerArray("tokenizer.ggml.token_type");
      types = new int[raw.length];
      for (int i = 0; i < raw.length; i++) types[i] = (int) raw[i];
    }
    checkLength(uri, "tokenizer.ggml.scores", scores == null ? tokens.length : scores.length, tokens.length);
    checkLength(uri, "tokenizer.ggml.token_type", types == null ? tokens.length : types.length, tokens.length);
    boolean spm = model.equals("llama");
    boolean bpe = model.equals("gpt2");
    if (!spm && !bpe) {
      throw new UnsupportedModelException(uri + ": tokenizer.ggml.model '" + model
          + "' is not supported; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
    }
    // llama.cpp's defaults per tokenizer family when the keys are absent
    int bos = id(uri, m, "tokenizer.ggml.bos_token_id", spm ? 1 : 11, tokens.length);
    int eos = id(uri, m, "tokenizer.ggml.eos_token_id", spm ? 2 : 11, tokens.length);
    int unk = id(uri, m, "tokenizer.ggml.unknown_token_id", spm ? 0 : -1, tokens.length);
    int eot = id(uri, m, "tokenizer.ggml.eot_token_id", -1, tokens.length);
    Vocabulary vocab = new Vocabulary(tokens, scores, types, bos, eos, unk, eot,
        m.getBoolean("tokenizer.ggml.add_bos_token", spm), m.getBoolean("tokenizer.ggml.add_eos_token", false));
    if (spm) {
      return new SentencePieceTokenizer(vocab, m.getBoolean("tokenizer.ggml.add_space_prefix", true));
    }
    String pre = m.findString("tokenizer.ggml.pre").orElse("default").toLowerCase(Locale.ROOT);
    ByteLevelBpeTokenizer.PreTokenizer preTokenizer = switch (pre) {
      case "gpt-2", "gpt2", "default" -> ByteLevelBpeTokenizer.PreTokenizer.GPT2;
      case "llama3", "llama-v3", "llama-bpe", "falcon3" -> ByteLevelBpeTokenizer.PreTokenizer.LLAMA3;
      default -> throw new UnsupportedModelException(uri + ": BPE pre-tokenizer '" + pre
          + "' is not supported; supported: gpt-2, llama3 (llama-bpe), falcon3");
    };
    return new ByteLevelBpeTokenizer(vocab, m.getStringArray("tokenizer.ggml.merges"), preTokenizer);
  }

  private static void checkLength(String uri, String key, int actual, int expected) {
    if (actual != expected) {
      throw new ModelFormatException(uri + ": " + key + " has " + actual + " entries but there are " + expected
          + " tokens");
    }
  }

  private static int id(String uri, GgufMetadata m, String key, int defaultId, int vocabSize) {
    if (!m.contains(key)) return defaultId < vocabSize ? defaultId : -1;
    long id = m.getLong(key);
    if (id < 0 || id >= vocabSize) {
      throw new ModelFormatException(uri + ": " + key + " = " + id + " is outside the vocabulary (" + vocabSize + " tokens)");
    }
    return (int) id;
  }
}
