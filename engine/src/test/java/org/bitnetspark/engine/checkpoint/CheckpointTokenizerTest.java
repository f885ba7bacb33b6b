package org.bitnetspark.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.testing.SharedData;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer files checkpoints ship against llama.cpp's test vectors: LLaMA-2's tokenizer.model
 * (protobuf, as 1bitLLM ships it) and a tokenizer.json holding GPT-2's vocabulary and merges.
 */
class CheckpointTokenizerTest {

  @Test
  void sentencePieceModelEqualsTheGgufVocabulary() throws IOException {
    byte[] proto = Files.readAllBytes(SharedData.file("models/vocab/llama2-tokenizer.model"));
    TokenizerSpec spec = SentencePieceModel.read("llama2-tokenizer.model", ByteBuffer.wrap(proto));
    try (GgufFile f = GgufReader.read(new LocalModelSource(SharedData.file("models/vocab/ggml-vocab-llama-spm.gguf")))) {
      assertArrayEquals(f.metadata().getStringArray("tokenizer.ggml.tokens"), spec.tokens(), "pieces, in order");
      assertArrayEquals(f.metadata().getFloatArray("tokenizer.ggml.scores"), spec.scores(), 0f, "scores");
      long[] types = f.metadata().getIntegerArray("tokenizer.ggml.token_type");
      assertArrayEquals(types, spec.types(), "piece types number as GGUF token types");
    }
    assertEquals(1, spec.bos());
    assertEquals(2, spec.eos());
    assertEquals(0, spec.unk());
    assertTrue(spec.addSpacePrefix());
    matchesTestVectors(spec.tokenizer("llama2-tokenizer.model"), "llama-spm");
  }

  @Test
  void tokenizerJsonEqualsTheGgufTokenizer() throws IOException {
    ObjectNode json = new ObjectMapper().createObjectNode();
    try (GgufFile f = GgufReader.read(new LocalModelSource(SharedData.file("models/vocab/ggml-vocab-gpt-2.gguf")))) {
      // tokenizer.json as Hugging Face writes GPT-2's: the vocab map, the merges, ByteLevel pre-tokenization
      ObjectNode model = json.putObject("model").put("type", "BPE");
      ObjectNode vocab = model.putObject("vocab");
      String[] tokens = f.metadata().getStringArray("tokenizer.ggml.tokens");
      long[] types = f.metadata().getIntegerArray("tokenizer.ggml.token_type");
      ArrayNode added = json.putArray("added_tokens");
      for (int i = 0; i < tokens.length; i++) {
        if (types[i] == 3) added.addObject().put("id", i).put("content", tokens[i]).put("special", true);
        else vocab.put(tokens[i], i);
      }
      ArrayNode merges = model.putArray("merges");
      for (String m : f.metadata().getStringArray("tokenizer.ggml.merges")) merges.add(m);
      json.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
    }
    TokenizerSpec spec = HfTokenizerJson.read("tokenizer.json", json, null);
    assertEquals("gpt-2", spec.pre());
    matchesTestVectors(spec.tokenizer("tokenizer.json"), "gpt-2");
  }

  @Test
  void sentencePieceStyleTokenizerJsonEqualsTheGgufTokenizer() throws IOException {
    ObjectNode json = new ObjectMapper().createObjectNode();
    try (GgufFile f = GgufReader.read(new LocalModelSource(SharedData.file("models/vocab/ggml-vocab-llama-spm.gguf")))) {
      // LLaMA-2's tokenizer.json as Hugging Face's SentencePiece converter writes it: BPE with byte fallback,
      // "▁" prepended, and merges made from the pieces' scores (every split of a piece into two pieces,
      // pieces by score, highest first)
      String[] tokens = f.metadata().getStringArray("tokenizer.ggml.tokens");
      float[] scores = f.metadata().getFloatArray("tokenizer.ggml.scores");
      long[] types = f.metadata().getIntegerArray("tokenizer.ggml.token_type");
      ObjectNode model = json.putObject("model").put("type", "BPE").put("byte_fallback", true).put("unk_token", "<unk>");
      ObjectNode vocab = model.putObject("vocab");
      java.util.Map<String, Integer> ids = new java.util.HashMap<>();
      for (int i = 0; i < tokens.length; i++) {
        vocab.put(tokens[i], i);
        ids.put(tokens[i], i);
      }
      java.util.List<int[]> merges = new java.util.ArrayList<>();
      for (int i = 0; i < tokens.length; i++) {
        if (types[i] != 1) continue;
        int[] cps = tokens[i].codePoints().toArray();
        for (int k = 1; k < cps.length; k++) {
          Integer left = ids.get(new String(cps, 0, k));
          Integer right = ids.get(new String(cps, k, cps.length - k));
          if (left != null && right != null) merges.add(new int[] {i, left, right});
        }
      }
      merges.sort((a, b) -> a[0] != b[0] ? Float.compare(scores[b[0]], scores[a[0]]) != 0
          ? Float.compare(scores[b[0]], scores[a[0]]) : Integer.compare(a[0], b[0])
          : a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[2], b[2]));
      ArrayNode m = model.putArray("merges");
      for (int[] x : merges) m.add(tokens[x[1]] + " " + tokens[x[2]]);
      ArrayNode added = json.putArray("added_tokens");
      for (int i = 0; i < 3; i++) added.addObject().put("id", i).put("content", tokens[i]).put("special", true);
      json.putObject("normalizer").put("type", "Sequence").putArray("normalizers")
          .add(new ObjectMapper().createObjectNode().put("type", "Prepend").put("prepend", "\u2581"));
    }
    ObjectNode config = new ObjectMapper().createObjectNode().put("bos_token", "<s>").put("eos_token", "</s>");
    TokenizerSpec spec = HfTokenizerJson.read("tokenizer.json", json, config);
    assertEquals("llama", spec.model());
    assertEquals(1, spec.bos());
    matchesTestVectors(spec.tokenizer("tokenizer.json"), "llama-spm");
  }

  private static void matchesTestVectors(Tokenizer t, String name) throws IOException {
    String inp = Files.readString(SharedData.file("models/vocab/ggml-vocab-" + name + ".gguf.inp"), StandardCharsets.UTF_8);
    String[] texts = inp.split("\n__ggml_vocab_test__\n", -1);
    String[] outs = Files.readString(SharedData.file("models/vocab/ggml-vocab-" + name + ".gguf.out")).split("\n", -1);
    int checked = 0;
    for (int i = 0; i < texts.length - 1 && i < outs.length; i++) {
      int[] expected = outs[i].isBlank() ? new int[0]
          : Arrays.stream(outs[i].trim().split(" +")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(expected, t.encode(texts[i], false, true), name + " case " + i + ": '" + texts[i] + "'");
      checked++;
    }
    assertEquals(texts.length - 1, checked);
  }
}
