package org.bitnetspark.engine.checkpoint;

import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.GgufWriter;
import org.bitnetspark.engine.io.ByteArrayModelSource;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;

/**
 * A tokenizer as GGUF's {@code tokenizer.ggml.*} keys describe it, read from the files a checkpoint
 * ships ({@link SentencePieceModel}, {@link HfTokenizerJson}); written into the GGUF a checkpoint
 * becomes, so one tokenizer implementation serves both formats.
 *
 * @param model {@code llama} (SentencePiece) or {@code gpt2} (byte-level BPE)
 * @param pre the BPE pre-tokenizer ({@code gpt-2}, {@code llama3}), or null
 * @param merges BPE merges ("a b"), or null
 * @param scores SentencePiece scores, or null
 * @param chatTemplate the model's Jinja chat template, or null (kept in the metadata, not applied)
 */
public record TokenizerSpec(String model, String pre, String[] tokens, float[] scores, long[] types, String[] merges,
    int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix, String chatTemplate) {

  /** With tokenizer_config.json's add-BOS policy and chat template. */
  public TokenizerSpec withConfig(boolean newAddBos, String template) {
    return new TokenizerSpec(model, pre, tokens, scores, types, merges, bos, eos, unk, newAddBos, addSpacePrefix,
        template);
  }

  /** The tokenizer itself, built the way a GGUF's is (through the same keys). */
  public Tokenizer tokenizer(String uri) {
    GgufWriter w = new GgufWriter();
    writeTo(w);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      w.write(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    GgufFile f = GgufReader.read(new ByteArrayModelSource(uri, out.toByteArray()));
    return Tokenizers.fromGguf(uri, f.metadata());
  }

  void writeTo(GgufWriter w) {
    w.putString("tokenizer.ggml.model", model);
    if (pre != null) w.putString("tokenizer.ggml.pre", pre);
    w.putStrings("tokenizer.ggml.tokens", tokens);
    if (scores != null) w.putFloats("tokenizer.ggml.scores", scores);
    w.putInt32s("tokenizer.ggml.token_type", types);
    if (merges != null) w.putStrings("tokenizer.ggml.merges", merges);
    if (bos >= 0) w.putUint32("tokenizer.ggml.bos_token_id", bos);
    if (eos >= 0) w.putUint32("tokenizer.ggml.eos_token_id", eos);
    if (unk >= 0) w.putUint32("tokenizer.ggml.unknown_token_id", unk);
    w.putBool("tokenizer.ggml.add_bos_token", addBos);
    w.putBool("tokenizer.ggml.add_eos_token", false);
    if (model.equals("llama")) w.putBool("tokenizer.ggml.add_space_prefix", addSpacePrefix);
    if (chatTemplate != null) w.putString("tokenizer.chat_template", chatTemplate);
  }
}
