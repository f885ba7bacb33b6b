package org.bitnetspark.engine.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Token texts, scores and types, the special ids and the BOS/EOS policy, as GGUF's
 * {@code tokenizer.ggml.*} keys give them. Immutable.
 */
public final class Vocabulary {
  /** GGUF token types ({@code llama_token_type}). */
  public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

  /** Texts that mark the end of a turn in common chat vocabularies (llama.cpp adds the same to EOG). */
  private static final Set<String> END_OF_TURN_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>",
      "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "<|end_of_text|>");

  private final String[] texts;
  private final float[] scores;
  private final int[] types;
  private final Map<String, Integer> ids;
  private final int bos;
  private final int eos;
  private final int unk;
  private final boolean addBos;
  private final boolean addEos;
  private final Set<Integer> endOfGeneration;
  private final List<Integer> specialTokensLongestFirst;

  public Vocabulary(String[] texts, float[] scores, int[] types, int bos, int eos, int unk, int eot,
      boolean addBos, boolean addEos) {
    this.texts = texts;
    this.scores = scores;
    this.types = types;
    this.ids = new HashMap<>(texts.length * 2);
    for (int i = 0; i < texts.length; i++) ids.putIfAbsent(texts[i], i);
    this.bos = bos;
    this.eos = eos;
    this.unk = unk;
    this.addBos = addBos;
    this.addEos = addEos;
    Set<Integer> eog = new TreeSet<>();
    if (eos >= 0) eog.add(eos);
    if (eot >= 0) eog.add(eot);
    List<Integer> specials = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      int t = type(i);
      if (t == CONTROL || t == USER_DEFINED || t == UNKNOWN) {
        if (!texts[i].isEmpty()) specials.add(i);
        if (t == CONTROL && END_OF_TURN_TEXTS.contains(texts[i])) eog.add(i);
      }
    }
    specials.sort((a, b) -> Integer.compare(texts[b].length(), texts[a].length()));
    this.specialTokensLongestFirst = Collections.unmodifiableList(specials);
    this.endOfGeneration = Collections.unmodifiableSet(eog);
  }

  public int size() {
    return texts.length;
  }

  public String text(int id) {
    return texts[id];
  }

  public float score(int id) {
    return scores == null ? 0f : scores[id];
  }

  public int type(int id) {
    return types == null ? NORMAL : types[id];
  }

  /** The id of a token text, or -1. */
  public int id(String text) {
    Integer id = ids.get(text);
    return id == null ? -1 : id;
  }

  public int bos() {
    return bos;
  }

  public int eos() {
    return eos;
  }

  public int unk() {
    return unk;
  }

  public boolean addBos() {
    return addBos;
  }

  public boolean addEos() {
    return addEos;
  }

  /** Tokens that end generation: EOS, EOT and the end-of-turn control tokens. */
  public boolean isEndOfGeneration(int id) {
    return endOfGeneration.contains(id);
  }

  public Set<Integer> endOfGenerationTokens() {
    return endOfGeneration;
  }

  /** Control, user-defined and unknown tokens with text, longest text first (for special-token splitting). */
  public List<Integer> specialTokensLongestFirst() {
    return specialTokensLongestFirst;
  }

  public boolean isValid(int id) {
    return id >= 0 && id < texts.length;
  }
}
