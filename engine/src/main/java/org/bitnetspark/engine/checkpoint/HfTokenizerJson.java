package org.bitnetspark.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.tokenizer.Vocabulary;

/**
 * Hugging Face tokenizers' {@code tokenizer.json} with a BPE model: byte-level (GPT-2, LLaMA-3 and the
 * models built on them: BitNet-b1.58-2B-4T, Llama3-8B-1.58, Falcon3) with its merges and pre-tokenizer
 * split, or SentencePiece-style (byte fallback over "▁", LLaMA-2's), whose merges give back the piece
 * scores. Added tokens marked special become control tokens. A checkpoint that also ships
 * {@code tokenizer.model} is read from that ({@link SentencePieceModel}).
 */
public final class HfTokenizerJson {
  /** A fragment of LLaMA-3's pre-tokenizer regex that GPT-2's lacks (digits in groups of up to 3). */
  private static final String LLAMA3_SPLIT = "\\p{N}{1,3}";

  private HfTokenizerJson() {}

  /**
   * Reads tokenizer.json; {@code config} is tokenizer_config.json (or null) for the BOS/EOS tokens, the
   * add-BOS policy and the chat template.
   */
  public static TokenizerSpec read(String uri, JsonNode json, JsonNode config) {
    JsonNode model = json.path("model");
    String type = model.path("type").asText("");
    if (!type.equals("BPE")) {
      throw new UnsupportedModelException(uri + ": tokenizer model type '" + type + "' is not supported; supported: "
          + "byte-level BPE (SentencePiece checkpoints: ship tokenizer.model)");
    }
    boolean sentencePiece = model.path("byte_fallback").asBoolean(false);
    JsonNode vocab = model.path("vocab");
    JsonNode added = json.path("added_tokens");
    int size = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) size = Math.max(size, it.next().getValue().asInt() + 1);
    for (JsonNode a : added) size = Math.max(size, a.path("id").asInt() + 1);
    if (size == 0) throw new ModelFormatException(uri + ": the vocabulary is empty");
    String[] tokens = new String[size];
    long[] types = new long[size];
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id = e.getValue().asInt(-1);
      if (id < 0) throw new ModelFormatException(uri + ": token '" + e.getKey() + "' has id " + e.getValue());
      tokens[id] = e.getKey();
      types[id] = Vocabulary.NORMAL;
    }
    for (JsonNode a : added) {
      int id = a.path("id").asInt();
      tokens[id] = a.path("content").asText();
      types[id] = a.path("special").asBoolean(false) ? Vocabulary.CONTROL : Vocabulary.USER_DEFINED;
    }
    for (int i = 0; i < size; i++) {
      if (tokens[i] == null) { // ids the file skips: placeholders, never produced
        tokens[i] = "[PAD" + i + "]";
        types[i] = Vocabulary.UNUSED;
      }
    }
    JsonNode mergesNode = model.path("merges");
    String[] merges = new String[mergesNode.size()];
    for (int i = 0; i < merges.length; i++) {
      JsonNode m = mergesNode.get(i);
      // older files write "a b", newer ones ["a", "b"]
      merges[i] = m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText();
    }
    int bos = id(config, "bos_token", tokens);
    int eos = id(config, "eos_token", tokens);
    String template = config == null || !config.path("chat_template").isTextual() ? null
        : config.path("chat_template").asText();
    if (sentencePiece) return sentencePiece(json, model, tokens, types, merges, bos, eos, config, template);
    String pre = json.path("pre_tokenizer").toString().contains(LLAMA3_SPLIT.replace("\\", "\\\\")) ? "llama3" : "gpt-2";
    boolean addBos = config != null && config.path("add_bos_token").asBoolean(bos >= 0 && pre.equals("llama3"));
    return new TokenizerSpec("gpt2", pre, tokens, null, types, merges, bos, eos, -1, addBos, false, template);
  }

  /**
   * A SentencePiece vocabulary converted to BPE by Hugging Face (byte_fallback over "▁"-marked pieces,
   * LLaMA-2's tokenizer.json). Its merges were made from the pieces' scores, highest first, so a piece's
   * rank among the merges gives back the order of its score: score = -(rank of the first merge making
   * it). Byte pieces {@code <0xNN>} become byte tokens, the unknown token and special added tokens control.
   */
  private static TokenizerSpec sentencePiece(JsonNode json, JsonNode model, String[] tokens, long[] types,
      String[] merges, int bos, int eos, JsonNode config, String template) {
    Map<String, Integer> ids = new java.util.HashMap<>();
    for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
    float[] scores = new float[tokens.length];
    java.util.Arrays.fill(scores, -1e9f); // pieces no merge makes: single characters, bytes, specials
    for (int r = merges.length - 1; r >= 0; r--) {
      Integer merged = ids.get(merges[r].replace(" ", ""));
      if (merged != null) scores[merged] = -r;
    }
    String unkText = model.path("unk_token").asText(null);
    int unk = unkText == null ? -1 : ids.getOrDefault(unkText, -1);
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].matches("<0x[0-9A-F]{2}>")) types[i] = Vocabulary.BYTE;
    }
    if (unk >= 0) types[unk] = Vocabulary.UNKNOWN;
    String normalizer = json.path("normalizer").toString();
    JsonNode pre = json.path("pre_tokenizer");
    boolean spacePrefix = normalizer.contains("\"Prepend\"") || (pre.path("type").asText("").equals("Metaspace")
        && !pre.path("prepend_scheme").asText("always").equals("never"));
    boolean addBos = config == null || config.path("add_bos_token").asBoolean(true);
    return new TokenizerSpec("llama", null, tokens, scores, types, null, bos, eos, unk, addBos, spacePrefix, template);
  }

  /** The id of a special token named in tokenizer_config.json (a string, or an object with "content"). */
  private static int id(JsonNode config, String key, String[] tokens) {
    if (config == null) return -1;
    JsonNode v = config.path(key);
    String text = v.isTextual() ? v.asText() : v.path("content").asText(null);
    if (text == null) return -1;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].equals(text)) return i;
    }
    return -1;
  }
}
